"""What an onboarding step may point at, registered by the apps that own those objects.

`partners` sits below `content` and never imports it (nor names its models by app label), yet a
"complete a course" or "download an asset" step may name one course or asset. The owning app
registers a target for the step kind from its AppConfig.ready() with `register_step_target(kind,
Model)`. The back office offers the registered objects as the step's target and checks that a
chosen one exists. The step itself stores the target generically: `target_type` is the model's
label (`Model._meta.label_lower`, the `object_type` that `record_event` stores for that object)
and `target_id` its primary key, so completing steps from events needs nothing from the owner.
A kind without a registered target (its app not installed) simply cannot point at an object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class StepTarget:
    kind: str  # the OnboardingStep.Kind value it serves
    model: type[models.Model]
    choices: Callable[[], models.QuerySet]  # the objects offered (called inside the tenant's scope)

    @property
    def object_type(self) -> str:
        return self.model._meta.label_lower

    @property
    def verbose_name(self) -> str:
        return self.model._meta.verbose_name

    def exists(self, pk) -> bool:
        """Whether the object with this id exists in the active tenant's scope."""
        return self.model.objects.filter(pk=pk).exists()


_targets: dict[str, StepTarget] = {}


def register_step_target(kind: str, model: type[models.Model],
                         choices: Callable[[], models.QuerySet] | None = None) -> StepTarget:
    """Let onboarding steps of `kind` point at one object of `model`; `choices` narrows what the back
    office offers (default: all of the tenant's objects). Registering a kind again replaces it."""
    target = StepTarget(str(kind), model, choices or (lambda: model.objects.all()))
    _targets[str(kind)] = target
    return target


def unregister_step_target(kind: str) -> None:
    """Forget the target of `kind` (tests)."""
    _targets.pop(str(kind), None)


def step_target(kind: str) -> StepTarget | None:
    return _targets.get(str(kind))


def target_of_type(object_type: str) -> StepTarget | None:
    """The registered target whose objects have this type (label), if any."""
    return next((t for t in _targets.values() if t.object_type == object_type), None)


def step_targets() -> list[StepTarget]:
    """Every registered target, in registration order."""
    return list(_targets.values())


def target_types() -> dict[str, str]:
    """{step kind: the object type its target has}, e.g. what a course step's target_type is."""
    return {kind: target.object_type for kind, target in _targets.items()}
