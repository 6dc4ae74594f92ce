"""Record engagement/domain events and let other apps react to them after commit.

The recording app never imports the reacting one: reactions subscribe by event kind in their
AppConfig.ready(). Handlers run after the surrounding transaction commits, inside the same
tenant scope; a failing handler is logged and does not undo the event.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import transaction

from prm.events.models import EngagementEvent
from prm.tenancy.scoping import tenant_scope

logger = logging.getLogger(__name__)

Handler = Callable[[EngagementEvent], None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)

# The kinds in use (documentation and validation for analytics). Apps may record others.
KINDS = {
    "sign_in": "Signed in",
    "member_joined": "Joined the portal",
    "colleague_invited": "Invited a colleague",
    "profile_updated": "Updated the profile",
    "agreement_accepted": "Accepted the program agreement",
    "onboarding_completed": "Completed onboarding",
    "content_viewed": "Viewed content",
    "content_downloaded": "Downloaded content",
    "course_completed": "Completed a course",
    "certification_earned": "Earned a certification",
    "deal_registered": "Registered a deal",
    "deal_approved": "Deal approved",
    "deal_won": "Deal won",
    "deal_lost": "Deal lost",
    "deal_reverted": "Deal win reverted",
    "mdf_requested": "Requested MDF",
    "mdf_claimed": "Claimed MDF",
    "lead_accepted": "Accepted a lead",
    "lead_declined": "Declined a lead",
    "lead_expired": "Let a lead expire",
    "lead_converted": "Converted a lead to a deal",
    "lead_lost": "Lead lost",
    "lead_reassigned": "Lead reassigned",
}


def subscribe(kind: str) -> Callable[[Handler], Handler]:
    """Decorator: call the handler after commit whenever an event of `kind` is recorded."""

    def decorator(handler: Handler) -> Handler:
        if handler not in _subscribers[kind]:
            _subscribers[kind].append(handler)
        return handler

    return decorator


def unsubscribe(kind: str, handler: Handler) -> None:
    """Stop calling `handler` for `kind` (tests that subscribe a spy remove it again)."""
    if handler in _subscribers.get(kind, ()):
        _subscribers[kind].remove(handler)


def subscribers(kind: str) -> tuple[Handler, ...]:
    """The handlers currently subscribed to `kind`, in registration order."""
    return tuple(_subscribers.get(kind, ()))


def record_event(
    *, tenant, kind: str, partner=None, user=None, obj=None, data: dict | None = None,
    occurred_at: datetime | None = None,
) -> EngagementEvent:
    event = EngagementEvent(
        tenant=tenant,
        partner=partner,
        user=user if (user is not None and getattr(user, "is_authenticated", False)) else None,
        kind=kind,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
    )
    if occurred_at is not None:
        event.occurred_at = occurred_at
    event.save(force_insert=True)
    handlers = list(_subscribers.get(kind, ()))
    if handlers:
        transaction.on_commit(lambda: _dispatch(tenant, event, handlers))
    return event


def _dispatch(tenant, event: EngagementEvent, handlers: list[Handler]) -> None:
    with tenant_scope(tenant):
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                logger.exception("event handler %s failed for %s", handler.__name__, event.kind)
                if settings.PRM_EVENT_HANDLERS_RAISE:
                    raise
