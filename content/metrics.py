"""Metrics content provides to the partners app (tier requirements count active certifications)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from content.models import Certification
from prm.tenancy.scoping import tenant_scope


def active_certifications(tenant, partner_ids: list, as_of: date) -> dict:
    """{partner_id: number of certifications in force at the end of `as_of`}, one grouped query."""
    if not partner_ids:
        return {}
    moment = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), time.min)) - timedelta(microseconds=1)
    with tenant_scope(tenant):
        rows = (
            Certification.objects.filter(tenant=tenant, partner_id__in=partner_ids).valid_on(moment)
            .values("partner_id").annotate(n=Count("id")).order_by()
        )
        counts = {row["partner_id"]: row["n"] for row in rows}
    # Callers may pass UUIDs or their string form; answer with the ids they passed.
    return {pid: counts.get(pid if isinstance(pid, uuid.UUID) else uuid.UUID(str(pid)), 0) for pid in partner_ids}
