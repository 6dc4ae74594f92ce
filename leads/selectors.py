"""Reads for the lead pages (partner inbox, staff list, rule editor's dry run, analytics) and exports.

Every selector takes the viewer; partner-owned rows are narrowed with `viewer.scope`. Lists keep a
constant number of queries (related rows joined, the current rule annotated)."""

from __future__ import annotations

import dataclasses
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Lead, LeadAssignment, LeadRule, LeadSettings, LeadShare
from leads.routing.engine import Decision, Router
from leads.routing.pool import PartnerPool, RoutingConfig
from leads.services.convert import conversion_conflicts
from leads.services.routing import customer_conflicts, prior_partners
from prm.tenancy.viewer import Viewer

# Partner inbox tabs: "new" is an offer awaiting acceptance; "returned" (declined, expired, taken
# back) lists the organisation's past offers, see `returned_assignments`.
INBOX_TABS = {"new": "assigned", "accepted": "accepted", "working": "working", "converted": "converted",
              "lost": "lost"}


def _uuid(value: str):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


STATUS_GROUPS = ("open", "overdue", "escalated")


def status_condition(status: str, now: datetime) -> Q:
    """The leads a status filter selects: a Lead.Status value or one of STATUS_GROUPS."""
    if status == "open":
        return Q(status__in=Lead.OPEN_STATUSES)
    if status == "overdue":
        return Q(status=Lead.Status.ASSIGNED, accept_by__lt=now)
    if status == "escalated":
        return Q(status=Lead.Status.UNASSIGNED, escalated_at__isnull=False)
    return Q(status=status)


@dataclass
class LeadFilters:
    status: str = ""     # a Lead.Status value or an inbox tab; "open", "overdue", "escalated"
    q: str = ""
    partner: str = ""    # staff only
    rule: str = ""       # staff only: the rule of the live offer
    source: str = ""
    country: str = ""
    region: str = ""
    industry: str = ""
    mine: bool = False   # partners: assigned to me; staff: leads I own

    @classmethod
    def from_request(cls, params, *, staff: bool) -> LeadFilters:
        status = params.get("status", "")
        known = set(Lead.Status.values) | set(INBOX_TABS) | set(STATUS_GROUPS)
        return cls(
            status=status if status in known else "", q=params.get("q", "").strip()[:100],
            partner=params.get("partner", "").strip()[:40] if staff else "",
            rule=params.get("rule", "").strip()[:40] if staff else "",
            source=params.get("source", "") if params.get("source", "") in Lead.Source.values else "",
            country=params.get("country", "").strip().upper()[:2], region=params.get("region", "").strip().upper()[:8],
            industry=params.get("industry", "").strip()[:20], mine=params.get("mine", "") in ("1", "on", "true"),
        )

    def apply(self, qs: QuerySet, viewer: Viewer) -> QuerySet:
        status = INBOX_TABS.get(self.status, self.status)
        if status:
            qs = qs.filter(status_condition(status, timezone.now()))
        if self.q:
            qs = qs.filter(Q(company_name__icontains=self.q) | Q(domain__icontains=self.q))
        if self.partner:
            qs = qs.filter(partner_id=_uuid(self.partner))
        if self.rule:
            qs = qs.filter(assignments__rule_id=_uuid(self.rule),
                           assignments__outcome__in=LeadAssignment.LIVE_OUTCOMES)
        for field in ("source", "country", "region", "industry"):
            if getattr(self, field):
                qs = qs.filter(**{field: getattr(self, field)})
        if self.mine:
            qs = qs.filter(partner_user=viewer.user) if viewer.is_partner else qs.filter(owner=viewer.user)
        return qs

    def querystring(self) -> str:
        from django.utils.http import urlencode

        return urlencode({k: ("1" if v is True else v) for k, v in self.__dict__.items() if v})


def leads_visible_to(viewer: Viewer, filters: LeadFilters | None = None) -> QuerySet[Lead]:
    """Partners: their organisation's leads (offered or owned). Staff: the tenant's, including
    unassigned ones (a manager confined to a book: its partners' leads and the unassigned)."""
    qs = viewer.scope(Lead.objects.all(), unowned=True)
    if filters is not None:
        qs = filters.apply(qs, viewer)
    live = LeadAssignment.objects.filter(lead=OuterRef("pk"), outcome__in=LeadAssignment.LIVE_OUTCOMES)
    return (qs.select_related("partner", "product", "partner_user", "owner")
            .annotate(current_rule=Subquery(live.values("rule_name")[:1]))
            .order_by("-created_at", "pk"))


def status_counts(viewer: Viewer, filters: LeadFilters) -> dict[str, int]:
    """How many of the leads matching the filters other than the status are in each status and
    status group, with "all" (one query: the inbox tabs and the staff list's chips)."""
    now = timezone.now()
    counts = {key: Count("pk", filter=status_condition(key, now)) for key in (*Lead.Status.values, *STATUS_GROUPS)}
    qs = viewer.scope(Lead.objects.all(), unowned=True)
    return dataclasses.replace(filters, status="").apply(qs, viewer).aggregate(all=Count("pk"), **counts)


def lead_for(viewer: Viewer, lead_id) -> Lead:
    """One lead the viewer may see, or Http404 (not found and not yours look the same)."""
    return viewer.get(viewer.scope(Lead.objects.all(), unowned=True).select_related(
        "partner", "partner__tier", "product", "partner_user", "owner", "deal"), lead_id)


def returned_assignments(viewer: Viewer) -> QuerySet[LeadAssignment]:
    """The inbox's "returned" tab: the organisation's offers it declined, let expire or had taken
    back. The lead's company shows; its contact and where it went do not (Lead.contact_for)."""
    return (viewer.scope(LeadAssignment.objects.all())
            .filter(outcome__in=LeadAssignment.RETURNED_OUTCOMES)
            .select_related("lead", "lead__product", "decided_by").order_by("-decided_at", "pk"))


def assignment_history(viewer: Viewer, lead: Lead) -> list[LeadAssignment]:
    """The lead's offers, oldest first, with their routing explanations. Staff see every entry (a
    manager confined to a book: the book's offers and the unassigned notes); a partner only its
    own organisation's offers (never the candidates or other partners)."""
    qs = viewer.scope(LeadAssignment.objects.filter(lead=lead), unowned=True)
    return list(qs.select_related("partner", "rule", "decided_by", "assigned_by").order_by("seq"))


def conversion_check(viewer: Viewer, lead: Lead) -> dict:
    """What the convert button should say before it is pressed: {'conflict': bool, 'matches': [...]}.
    Partners learn only that a conflict exists; staff get the deals conflict evidence."""
    matches = conversion_conflicts(viewer.tenant, lead)
    return {"conflict": bool(matches), "matches": [] if viewer.is_partner else matches}


# --- The rule editor's dry run ------------------------------------------------------------------


def dry_run(tenant, rules: list[LeadRule], leads: list[Lead], *, now: datetime | None = None) -> list[Decision]:
    """Who would get these leads under these rules (saved or not), in order, with every decision's
    explanation — computed like a real routing (capacity, fairness, customers with active
    registrations) but nothing is written."""
    now = now or timezone.now()
    config = RoutingConfig.for_tenant(tenant)
    router = Router(PartnerPool(tenant, now=now, config=config), list(rules), config, now)
    saved = [lead.pk for lead in leads if not lead._state.adding]
    tried = prior_partners(tenant, saved) if saved else {}
    conflicts = customer_conflicts(tenant, leads)
    out = []
    for lead in leads:
        if lead.pk in conflicts:
            out.append(Decision(lead, reason="customer_conflict", reason_data={"matches": conflicts[lead.pk][:5]}))
        else:
            out.append(router.route(lead, tried.get(lead.pk, frozenset())))
    return out


# --- Shares, statistics -------------------------------------------------------------------------


@dataclass
class ShareRow:
    partner_id: uuid.UUID
    partner_name: str
    received: int
    due: float
    received_share: float  # of all leads routed in the window
    due_share: float
    floor: float           # the tenant's floor (fraction of an equal share)

    @property
    def floor_share(self) -> float:
        return self.floor * self.due_share

    @property
    def meets_floor(self) -> bool:
        """Within one lead of the floor (routing gives a partner below it the next lead it can take)."""
        return self.received >= self.floor * self.due - 1


def share_report(tenant, *, window_days: int | None = None, as_of: datetime | None = None,
                 partner_ids=None) -> list[ShareRow]:
    """Each partner's share of the leads routed in the rolling window against the share it was due
    (one query; the staff analytics page and, for its own row, the partner's inbox)."""
    settings = LeadSettings.for_tenant(tenant)
    days = window_days or settings.lead_window_days
    end = timezone.localdate(as_of or timezone.now())
    qs = LeadShare.objects.filter(tenant=tenant, day__gt=end - timedelta(days=days), day__lte=end)
    rows = list(qs.values("partner_id", "partner__name").annotate(r=Sum("received"), d=Sum("due"))
                .order_by("partner__name", "partner_id"))
    total_r = sum(r["r"] or 0 for r in rows) or 1
    total_d = sum(r["d"] or 0 for r in rows) or 1.0
    floor = float(settings.lead_fairness_floor)
    report = [ShareRow(r["partner_id"], r["partner__name"], int(r["r"] or 0), float(r["d"] or 0),
                       (r["r"] or 0) / total_r, (r["d"] or 0) / total_d, floor) for r in rows]
    if partner_ids is not None:
        wanted = set(partner_ids)
        report = [r for r in report if r.partner_id in wanted]
    return report


def partner_share(viewer: Viewer) -> ShareRow | None:
    """The viewer's organisation's row of the share report (None for staff or without leads)."""
    if not viewer.is_partner:
        return None
    rows = share_report(viewer.tenant, partner_ids=[viewer.partner_id])
    return rows[0] if rows else None


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def lead_stats(viewer: Viewer, *, since: datetime | None = None, until: datetime | None = None) -> dict:
    """Offers between `since` and `until` (default: the last 90 days) per partner and per rule:
    offered, accepted (within the window), declined, expired, acceptance rate, median hours to
    accept, converted, won, conversion and win rate. Five queries however many leads."""
    until = until or timezone.now()
    since = since or until - timedelta(days=90)
    offers = viewer.scope(LeadAssignment.objects.all()).filter(
        partner__isnull=False, created_at__gte=since, created_at__lt=until)
    counts = {
        "offered": Count("pk"),
        "accepted": Count("pk", filter=Q(outcome="accepted")),
        "in_window": Count("pk", filter=Q(outcome="accepted", decided_at__lte=F("accept_by"))),
        "declined": Count("pk", filter=Q(outcome="declined")),
        "expired": Count("pk", filter=Q(outcome="expired")),
        "reassigned": Count("pk", filter=Q(outcome="reassigned")),
        "converted": Count("pk", filter=Q(outcome="accepted", lead__status=Lead.Status.CONVERTED)),
        "won": Count("pk", filter=Q(outcome="accepted", lead__deal_outcome=Lead.DealOutcome.WON)),
    }
    by_partner = list(offers.values("partner_id", "partner__name").annotate(**counts).order_by("partner__name"))
    by_rule = list(offers.values("rule_name").annotate(**counts).order_by("rule_name"))
    hours: dict = defaultdict(list)
    rule_hours: dict = defaultdict(list)
    for partner_id, rule_name, offered, decided in offers.filter(outcome="accepted").values_list(
            "partner_id", "rule_name", "created_at", "decided_at"):
        hours[partner_id].append((decided - offered).total_seconds() / 3600)
        rule_hours[rule_name].append((decided - offered).total_seconds() / 3600)

    def finish(row: dict, durations: list) -> dict:
        decided = row["accepted"] + row["declined"] + row["expired"]
        row.update(acceptance_rate=_rate(row["accepted"], decided), in_window_rate=_rate(row["in_window"], decided),
                   median_hours_to_accept=round(statistics.median(durations), 1) if durations else None,
                   conversion_rate=_rate(row["converted"], row["accepted"]), win_rate=_rate(row["won"], row["accepted"]))
        return row

    partners = [finish(r, hours.get(r["partner_id"], [])) for r in by_partner]
    rules = [finish({**r, "rule_name": r["rule_name"] or _("Assigned by staff")}, rule_hours.get(r["rule_name"], []))
             for r in by_rule]
    totals = {k: sum(r[k] for r in partners) for k in counts}
    totals = finish(totals, [h for hs in hours.values() for h in hs])
    return {"since": since, "until": until, "partners": partners, "rules": rules, "totals": totals}


# --- Export -------------------------------------------------------------------------------------


def export_rows(viewer: Viewer, filters: LeadFilters):
    """(header, rows) for a CSV export; contact columns follow Lead.contact_for (empty until the
    viewer's organisation accepted the lead) and partners never see other partners' names."""
    staff = not viewer.is_partner
    header = [_("Reference"), _("Company"), _("Domain"), _("Country"), _("Region"), _("Industry"), _("Company size"),
              _("Product interest"), _("Status"), _("Accept by"), _("Estimated value"), _("Currency"),
              _("Contact name"), _("Contact email"), _("Contact phone"), _("Contact title"), _("Created")]
    if staff:
        header[8:8] = [_("Partner"), _("Rule"), _("Source")]

    def rows():
        for lead in leads_visible_to(viewer, filters).iterator(chunk_size=500):
            contact = lead.contact_for(viewer)
            row = [str(lead.pk), lead.company_name, lead.domain, lead.country.code if lead.country else "",
                   lead.effective_region, lead.get_industry_display(), lead.get_company_size_display(),
                   lead.product.name if lead.product_id else "", lead.get_status_display(), lead.accept_by,
                   lead.value_estimate, lead.currency, contact["contact_name"], contact["contact_email"],
                   contact["contact_phone"], contact["contact_title"], lead.created_at.date()]
            if staff:
                row[8:8] = [lead.partner.name if lead.partner_id else "", lead.current_rule or "",
                            lead.get_source_display()]
            yield row

    return header, rows()
