"""URL discovery and request building for the cross-tenant crawler."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from tests.security.url_params import PARAM_MODELS, PARAM_VALUES, PUBLIC_URL_NAMES, PUBLIC_URL_PREFIXES

_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
_ADMIN_OBJECT = re.compile(r"^admin:(?P<app>[a-z0-9_]+?)_(?P<model>[a-z0-9]+)_(?:change|delete|history)$")


@dataclass
class Pattern:
    route: str                 # the full route, used as the test id and coverage key
    name: str | None           # namespaced URL name
    params: list[str] = field(default_factory=list)
    model_params: dict[str, str] = field(default_factory=dict)  # param -> model label

    @property
    def is_public(self) -> bool:
        if self.name is None:
            return False
        return self.name in PUBLIC_URL_NAMES or self.name.startswith(PUBLIC_URL_PREFIXES)

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    def unmapped_params(self) -> list[str]:
        return [p for p in self.params if p not in self.model_params and p not in PARAM_VALUES]

    def build(self, values: dict[str, str]) -> str:
        path = self.route
        path = _ROUTE_PARAM.sub(lambda m: values[m.group("name")], path)
        path = _REGEX_GROUP.sub(lambda m: values[m.group("name")], path)
        path = path.replace("^", "").replace("$", "").replace("\\", "")
        return "/" + path


def _params_of(route: str) -> list[str]:
    return [m.group("name") for m in _ROUTE_PARAM.finditer(route)] + [
        m.group("name") for m in _REGEX_GROUP.finditer(route)
    ]


def discover() -> list[Pattern]:
    """Every URL pattern of the project, with its parameters classified."""
    found: list[Pattern] = []

    def walk(patterns, prefix: str, namespace: str | None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                assert isinstance(entry.pattern, (RoutePattern, RegexPattern))
                route = prefix + str(entry.pattern)
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                params = _params_of(route)
                model_params = {p: PARAM_MODELS[p] for p in params if p in PARAM_MODELS}
                match = _ADMIN_OBJECT.match(name or "")
                label = None
                if match and "object_id" in params:
                    label = _admin_model_label(match.group("app"), match.group("model"))
                elif route.startswith("admin/") and "object_id" in params and name is None:
                    # The admin's unnamed "<object_id>/" redirect: model from the route.
                    parts = route.split("/")
                    label = _admin_model_label(parts[1], parts[2])
                if label is not None and _is_tenant_owned(label):
                    model_params["object_id"] = label
                found.append(Pattern(route=route, name=name, params=params, model_params=model_params))

    walk(get_resolver().url_patterns, "", None)
    return found


def _is_tenant_owned(label: str) -> bool:
    from django.apps import apps

    from prm.tenancy.models import TenantOwnedModel

    return issubclass(apps.get_model(label), TenantOwnedModel)


def _admin_model_label(app_label: str, model_name: str) -> str:
    from django.apps import apps

    return apps.get_model(app_label, model_name)._meta.label
