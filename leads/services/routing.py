"""Routing leads and writing the decisions: set-based for any number of leads.

One session loads the partner pool and the rules once, routes the leads in memory, and writes
per batch of leads: the assignments (bulk insert), the leads (bulk update), and once at the end
the fairness ledger (one upsert per 500 partners), the partners' notifications (one per partner,
however many leads it got) and the owners' escalations. Every path that routes takes the tenant's
routing lock first (its LeadSettings row), then lead rows, so concurrent routings never hand out
the same capacity twice and never deadlock.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from leads.models import Lead, LeadAssignment, LeadRule, LeadSettings, LeadShare
from leads.routing.engine import Decision, Router
from leads.routing.pool import PartnerPool, RoutingConfig
from leads.services._common import lead_url, partner_members
from leads.windows import accept_deadline
from prm.audit.services import audit_log
from prm.notifications.services import notify

BATCH = 1000
LEAD_FIELDS = ["status", "partner", "partner_user", "offered_at", "accept_by", "accepted_at", "escalated_at",
               "updated_at"]


def lock_routing(tenant) -> None:
    """The tenant's routing lock (its LeadSettings row); take it before any lead row."""
    LeadSettings.for_tenant(tenant)  # the row exists from here on
    list(LeadSettings.objects.select_for_update().filter(tenant=tenant).values_list("pk"))


# The order rules are tried in (the rule editor lists them the same way).
RULE_ORDER = ("position", "name", "pk")


def active_rules(tenant) -> list[LeadRule]:
    return list(LeadRule.objects.filter(tenant=tenant, is_active=True).order_by(*RULE_ORDER))


def customer_conflicts(tenant, leads) -> dict:
    """{lead id: [match summary]} for leads whose customer has an active deal registration or is a
    house account (the deals conflict check, one batch for all the leads)."""
    from deals.conflicts import Probe, find_matches

    probes = [Probe.for_input(lead.pk, name=lead.company_name, website=lead.website, email=lead.contact_email)
              for lead in leads]
    found = find_matches(tenant, probes) if probes else {}
    return {key: [{"source": m.source, "id": str(m.id), "name": m.name, "partner": m.partner_name,
                   "status": m.status, "domain_match": m.domain_match} for m in matches]
            for key, matches in found.items() if matches}


def prior_partners(tenant, lead_ids) -> dict:
    """{lead id: {partner ids already offered the lead}}: routing never offers it to them again."""
    tried: dict = defaultdict(set)
    for lead_id, partner_id in (LeadAssignment.objects.filter(tenant=tenant, lead_id__in=list(lead_ids),
                                                              partner__isnull=False)
                                .values_list("lead_id", "partner_id")):
        tried[lead_id].add(partner_id)
    return tried


@dataclass
class RoutingSession:
    """Routes leads within one transaction that holds the routing lock."""

    tenant: Any
    now: datetime
    actor: Any = None
    rules: list[LeadRule] | None = None  # default: the tenant's active rules
    config: RoutingConfig | None = None
    decisions: Counter = field(default_factory=Counter)
    _router: Router | None = None
    _offers: dict = field(default_factory=lambda: defaultdict(list))
    _escalations: list = field(default_factory=list)

    @property
    def router(self) -> Router:
        if self._router is None:  # loaded on first use: after the caller freed the leads it re-routes
            self.config = self.config or RoutingConfig.for_tenant(self.tenant)
            pool = PartnerPool(self.tenant, now=self.now, config=self.config)
            self._router = Router(pool, self.rules if self.rules is not None else active_rules(self.tenant),
                                  self.config, self.now)
        return self._router

    def route(self, leads: list[Lead], *, check_customers: bool = True) -> list[Decision]:
        """Route locked, unassigned leads; write their assignments and new state."""
        if not leads:
            return []
        router = self.router
        ids = [lead.pk for lead in leads]
        tried = prior_partners(self.tenant, ids)
        conflicts = customer_conflicts(self.tenant, leads) if check_customers else {}
        decisions = []
        for lead in leads:
            if lead.pk in conflicts:
                decisions.append(Decision(lead, reason="customer_conflict",
                                          reason_data={"matches": conflicts[lead.pk][:5]}))
            else:
                decisions.append(router.route(lead, tried.get(lead.pk, frozenset())))
        self._write(decisions)
        return decisions

    def _write(self, decisions: list[Decision]) -> None:
        now = self.now
        deadline = accept_deadline(now, self.router.config.accept_hours, business_hours=self.router.config.business_hours)
        seqs = dict(LeadAssignment.objects.filter(tenant=self.tenant, lead_id__in=[d.lead.pk for d in decisions])
                    .values("lead_id").annotate(m=Max("seq")).values_list("lead_id", "m"))
        rows = []
        for d in decisions:
            lead = d.lead
            seq = seqs.get(lead.pk, 0) + 1
            rows.append(LeadAssignment(
                tenant=self.tenant, lead=lead, seq=seq, partner_id=d.partner_id, rule=d.rule,
                rule_name=d.rule.name if d.rule else "", strategy=d.strategy, reason=d.reason,
                reason_data=d.reason_data, candidates=d.candidates, created_at=now,
                accept_by=deadline if d.assigned else None,
                outcome=LeadAssignment.Outcome.PENDING if d.assigned else LeadAssignment.Outcome.UNASSIGNED,
            ))
            lead.partner_user = None
            lead.accepted_at = None
            if d.assigned:
                lead.status, lead.partner_id, lead.offered_at, lead.accept_by = "assigned", d.partner_id, now, deadline
                lead.escalated_at = None
                self._offers[d.partner_id].append(lead)
                self.decisions["assigned"] += 1
            else:
                lead.status, lead.partner, lead.offered_at, lead.accept_by = "unassigned", None, None, None
                if lead.escalated_at is None:
                    lead.escalated_at = now
                    self._escalations.append((lead, d))
                self.decisions["unassigned"] += 1
            lead.updated_at = now
        LeadAssignment.objects.bulk_create(rows, batch_size=500)
        update_leads(self.tenant, [d.lead for d in decisions])

    def finish(self, *, request=None, notify_partners: bool = True) -> None:
        """Write the fairness ledger, tell partners about their new leads and owners about leads
        nobody took."""
        if self._router is None:
            return
        pool = self._router.pool
        changed = np.flatnonzero((pool.received_delta != 0) | (pool.due_delta != 0))
        upsert_shares(self.tenant, timezone.localdate(self.now),
                      [(pool.ids[i], int(pool.received_delta[i]), float(pool.due_delta[i])) for i in changed])
        pool.received_delta[:] = 0
        pool.due_delta[:] = 0
        if notify_partners and self._offers:
            self._notify_offers(request)
        if self._escalations:
            escalate(self.tenant, self._escalations, request=request)
        self._offers.clear()
        self._escalations.clear()

    def _notify_offers(self, request) -> None:
        members = partner_members(self.tenant, self._offers)
        for partner_id, leads in self._offers.items():
            users = members.get(partner_id)
            if not users:
                continue
            first = leads[0]
            title = (_("New lead to accept: %(company)s") % {"company": first.company_name} if len(leads) == 1 else
                     ngettext("%(n)d new lead to accept", "%(n)d new leads to accept", len(leads)) % {"n": len(leads)})
            body = _("Accept or decline by %(deadline)s, or the lead goes to another partner.") % {
                "deadline": formats.date_format(timezone.localtime(first.accept_by), "SHORT_DATETIME_FORMAT")}
            notify(tenant=self.tenant, users=users, title=title, body=body,
                   url=lead_url(self.tenant, first if len(leads) == 1 else None, request))


def escalate(tenant, escalations: list[tuple[Lead, Decision]], *, request=None) -> None:
    """Tell each lead's owner (else the program's managers) that nobody could take it, and why."""
    from django.contrib.auth import get_user_model

    from partners.selectors import managers_for

    by_owner: dict = defaultdict(list)
    for lead, decision in escalations:
        by_owner[lead.owner_id].append((lead, decision))
    owners = {u.pk: u for u in get_user_model().objects.filter(pk__in=[k for k in by_owner if k], is_active=True)}
    for owner_id, items in by_owner.items():
        users = [owners[owner_id]] if owner_id in owners else managers_for(tenant)
        lead, decision = items[0]
        title = (_("Lead needs you: %(company)s") % {"company": lead.company_name} if len(items) == 1 else
                 ngettext("%(n)d lead needs you: nobody could take it", "%(n)d leads need you: nobody could take them",
                          len(items)) % {"n": len(items)})
        body = "\n".join(f"- {item.company_name}: {d.why}" for item, d in items[:20])
        notify(tenant=tenant, users=users, title=title, body=body,
               url=lead_url(tenant, lead if len(items) == 1 else None, request))


def update_leads(tenant, leads: list[Lead]) -> None:
    """Write the routing fields of many leads. On PostgreSQL one UPDATE … FROM (VALUES …) per 1,000
    leads: Django's bulk_update builds a CASE per field and row, which took two thirds of the time
    of routing 10,000 leads (measured); elsewhere (SQLite, small batches) bulk_update."""
    if connection.vendor != "postgresql":
        Lead.objects.bulk_update(leads, LEAD_FIELDS, batch_size=500)
        return
    table = connection.ops.quote_name(Lead._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(leads), BATCH):
            chunk = leads[start:start + BATCH]
            params: list = []
            for lead in chunk:
                params += [lead.pk, lead.status, lead.partner_id, lead.partner_user_id, lead.offered_at,
                           lead.accept_by, lead.accepted_at, lead.escalated_at, lead.updated_at]
            values = ", ".join(["(%s::uuid, %s::varchar, %s::uuid, %s::bigint, %s::timestamptz, %s::timestamptz, "
                                "%s::timestamptz, %s::timestamptz, %s::timestamptz)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} AS l SET status = v.status, partner_id = v.partner, partner_user_id = v.puser, "
                f"offered_at = v.offered, accept_by = v.accept_by, accepted_at = v.accepted, "
                f"escalated_at = v.escalated, updated_at = v.updated "
                f"FROM (VALUES {values}) AS v(id, status, partner, puser, offered, accept_by, accepted, escalated, "
                f"updated) WHERE l.id = v.id AND l.tenant_id = %s", [*params, tenant.pk])


def upsert_shares(tenant, day, rows: list[tuple]) -> None:
    """Add to each partner's ledger row of `day` (INSERT … ON CONFLICT DO UPDATE: PostgreSQL and
    SQLite both add the increments in the database, so concurrent writers never lose one)."""
    if not rows:
        return
    meta = LeadShare._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    pk_field, partner_field = meta.pk, meta.get_field("partner").target_field
    day_value = meta.get_field("day").get_db_prep_value(day, connection)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            params: list = []
            for partner_id, received, due in chunk:
                params += [pk_field.get_db_prep_value(uuid.uuid4(), connection), tenant.pk,
                           partner_field.get_db_prep_value(partner_id, connection), day_value, received, due]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (id, tenant_id, partner_id, day, received, due) VALUES {values} "
                f"ON CONFLICT (tenant_id, partner_id, day) DO UPDATE SET "
                f"received = {table}.received + excluded.received, due = {table}.due + excluded.due",
                params,
            )


@dataclass
class RoutingResult:
    assigned: int
    unassigned: int
    decisions: list[Decision]


def leads_route(*, tenant, leads, actor=None, now: datetime | None = None, request=None, keep_decisions: bool = True,
                batch_size: int = BATCH) -> RoutingResult:
    """Route the given leads that are unassigned (new, held, or back with the owner), set-based.

    Leads that are not unassigned any more (accepted meanwhile, routed by someone else) are left
    alone. `keep_decisions=False` keeps memory flat for imports of many thousands of leads."""
    now = now or timezone.now()
    ids = [lead.pk for lead in leads]
    kept: list[Decision] = []
    with transaction.atomic():
        lock_routing(tenant)
        session = RoutingSession(tenant, now, actor)
        for start in range(0, len(ids), batch_size):
            chunk = list(Lead.objects.select_for_update(of=("self",))
                         .filter(tenant=tenant, pk__in=ids[start:start + batch_size], status=Lead.Status.UNASSIGNED)
                         .order_by("created_at", "pk"))
            decisions = session.route(chunk)
            if keep_decisions:
                kept.extend(decisions)
        session.finish(request=request)
        if ids:
            audit_log(tenant=tenant, actor=actor, action="lead.route", obj=leads[0] if len(ids) == 1 else None,
                      request=request, changes={"leads": len(ids), "assigned": session.decisions["assigned"],
                                                "unassigned": session.decisions["unassigned"]})
    return RoutingResult(session.decisions["assigned"], session.decisions["unassigned"], kept)
