"""Backfill the engagement event stream from records that existed before events were recorded.

Idempotent: an event is written only when none of the same kind exists for the same object
(`object_type`, `object_id`), whether recorded live or by an earlier backfill. Events are inserted
in bulk (`bulk_create`), not through record_event(), so no subscriber reacts to history (an old won
deal must not accrue a SPIF again); each carries {"backfilled": true} in its data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from prm.events.models import EngagementEvent

BATCH = 2000


@dataclass(frozen=True)
class Source:
    kind: str
    label: str                                  # object_type, e.g. "deals.dealregistration"
    rows: Callable[[object], Iterable[tuple]]   # tenant -> (object id, partner id, user id, occurred_at, data)
    # What makes an event "the same": the object alone (a deal is won once, whoever recorded it), or
    # the object and the person/organisation (each user completes a course; each partner accepts a version).
    key: str = "object"  # object | object_user | object_partner

    def key_of(self, object_id, partner_id, user_id) -> tuple:
        if self.key == "object_user":
            return (str(object_id), str(user_id))
        if self.key == "object_partner":
            return (str(object_id), str(partner_id))
        return (str(object_id),)


def _deals(status_filter: dict, moment: str, user: str):
    def rows(tenant):
        from deals.models import DealRegistration

        qs = (DealRegistration.objects.filter(tenant=tenant, **status_filter)
              .values_list("pk", "partner_id", user, moment, "customer_name", "base_amount", "won_base_amount"))
        for pk, partner_id, user_id, when, customer, base, won in qs.iterator(chunk_size=BATCH):
            if when is None:
                continue
            amount = won if won is not None else base
            yield pk, partner_id, user_id, when, {"customer": customer, "base_amount": str(amount) if amount is not None else None}
    return rows


def _day(value) -> datetime:
    return value if isinstance(value, datetime) else timezone.make_aware(datetime.combine(value, time(12)))


def _won(tenant):
    for pk, partner_id, user_id, when, data in _deals({"status": "won"}, "closed_on", "submitted_by_id")(tenant):
        yield pk, partner_id, user_id, _day(when), data


def _lost(tenant):
    for pk, partner_id, user_id, when, data in _deals({"status": "lost"}, "closed_on", "submitted_by_id")(tenant):
        yield pk, partner_id, user_id, _day(when), data


def _certifications(kind: str):
    def rows(tenant):
        from content.models import Certification

        label_field = "course_id" if kind == "course_completed" else "pk"
        qs = Certification.objects.filter(tenant=tenant).values_list(label_field, "partner_id", "user_id", "issued_at",
                                                                     "course__title")
        for pk, partner_id, user_id, when, title in qs.iterator(chunk_size=BATCH):
            yield pk, partner_id, user_id, when, {"name": title}
    return rows


def _simple(model_path: str, moment: str, user: str | None, **filters):
    def rows(tenant):
        from django.apps import apps

        model = apps.get_model(model_path)
        fields = ["pk", "partner_id", user or "pk", moment]
        for pk, partner_id, user_id, when in (model.objects.filter(tenant=tenant, **filters)
                                              .values_list(*fields).iterator(chunk_size=BATCH)):
            if when is None or partner_id is None:
                continue
            yield pk, partner_id, (user_id if user else None), when, {}
    return rows


def _onboarding_done(tenant):
    from partners.models import PartnerOnboarding

    for pk, partner_id, when in (PartnerOnboarding.objects.filter(tenant=tenant, completed_at__isnull=False)
                                 .values_list("pk", "partner_id", "completed_at")):
        yield pk, partner_id, None, when, {}


def _agreements(tenant):
    from partners.models import AgreementAcceptance

    for pk, partner_id, user_id, when, agreement_id in (AgreementAcceptance.objects.filter(tenant=tenant)
                                                        .values_list("pk", "partner_id", "user_id", "accepted_at",
                                                                     "agreement_id")):
        yield agreement_id, partner_id, user_id, when, {"acceptance": str(pk)}


SOURCES = [
    Source("member_joined", "tenancy.membership",
           _simple("tenancy.Membership", "created_at", "user_id", partner__isnull=False)),
    Source("deal_registered", "deals.dealregistration", _deals({}, "submitted_at", "submitted_by_id")),
    Source("deal_approved", "deals.dealregistration",
           _deals({"status__in": ("approved", "won", "lost", "expired")}, "decided_at", "decided_by_id")),
    Source("deal_won", "deals.dealregistration", _won),
    Source("deal_lost", "deals.dealregistration", _lost),
    Source("course_completed", "content.course", _certifications("course_completed"), key="object_user"),
    Source("certification_earned", "content.certification", _certifications("certification_earned")),
    Source("mdf_requested", "incentives.mdfrequest", _simple("incentives.MdfRequest", "submitted_at", "submitted_by_id")),
    Source("mdf_claimed", "incentives.mdfclaim", _simple("incentives.MdfClaim", "submitted_at", "submitted_by_id")),
    Source("colleague_invited", "accounts.invitation",
           _simple("accounts.Invitation", "created_at", "invited_by_id", partner__isnull=False)),
    Source("onboarding_completed", "partners.partneronboarding", _onboarding_done),
    Source("agreement_accepted", "partners.agreement", _agreements, key="object_partner"),
]


def _existing(tenant, source: Source) -> set[tuple]:
    """Keys of the events already in the stream for this kind and object type."""
    return {source.key_of(obj, partner, user) for obj, partner, user in EngagementEvent.objects.filter(
        tenant=tenant, kind=source.kind, object_type=source.label).values_list("object_id", "partner_id", "user_id")}


def _batches(items: Iterator, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def backfill_events(*, tenant, kinds: Iterable[str] | None = None) -> dict[str, int]:
    """{kind: events written}. Running it again writes nothing new."""
    wanted = set(kinds) if kinds else None
    written: dict[str, int] = {}
    for source in SOURCES:
        if wanted is not None and source.kind not in wanted:
            continue
        seen = _existing(tenant, source)

        def fresh(source=source, seen=seen):
            for obj_id, partner_id, user_id, when, data in source.rows(tenant):
                key = source.key_of(obj_id, partner_id, user_id)
                if key in seen:
                    continue
                seen.add(key)
                yield EngagementEvent(tenant=tenant, kind=source.kind, partner_id=partner_id, user_id=user_id,
                                      object_type=source.label, object_id=str(obj_id), occurred_at=when,
                                      data={**data, "backfilled": True})

        count = 0
        for batch in _batches(fresh(), BATCH):
            with transaction.atomic():
                EngagementEvent.objects.bulk_create(batch)
            count += len(batch)
        written[source.kind] = count
    return written
