"""Reads for the deal pages, the review queue, exports and home widgets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from deals.conflicts import Match, Probe, find_matches
from deals.models import DealAppeal, DealExtension, DealHistory, DealPartner, DealRegistration, Product
from deals.sla import time_left
from prm.tenancy.roles import Role

QUEUE_PAGE_SIZE = 25
LIST_PAGE_SIZE = 50
# What the deal list shows (deals have some forty columns; a page builds fifty of them).
LIST_COLUMNS = ("kind", "customer_name", "customer_domain", "status", "amount", "won_amount", "currency",
                "expected_close_date", "protected_until", "submitted_at", "partner_id", "partner__name")


def deals_visible_to(request) -> QuerySet:
    """Partners see their organisation's registrations; staff see the tenant's, or only their
    book's partners when the tenant restricts channel managers to their book."""
    membership = request.membership
    qs = DealRegistration.objects.filter(tenant=request.tenant)
    if membership.is_partner:
        return qs.filter(partner_id=membership.partner_id)
    if request.tenant.restrict_managers_to_book and membership.role == Role.CHANNEL_MANAGER:
        from partners.selectors import partners_visible_to

        qs = qs.filter(partner__in=partners_visible_to(request).values("pk"))
    return qs


def deal_for(request, deal_id) -> DealRegistration:
    """One deal the member may see, or Http404 (not found and not yours look the same)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(deals_visible_to(request).select_related(
        "partner", "partner__tier", "partner__partner_type", "submitted_by", "decided_by"), pk=deal_id)


@dataclass
class DealFilters:
    status: str = ""
    kind: str = ""
    q: str = ""
    partner: str = ""
    product: str = ""

    @classmethod
    def from_request(cls, params, *, staff: bool) -> DealFilters:
        status = params.get("status", "")
        kind = params.get("kind", "")
        return cls(
            status=status if status in DealRegistration.Status.values or status in ("active", "pending") else "",
            kind=kind if kind in DealRegistration.Kind.values else "",
            q=params.get("q", "").strip()[:100],
            partner=params.get("partner", "").strip()[:40] if staff else "",
            product=params.get("product", "").strip()[:40],
        )

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.status == "active":
            qs = qs.active()
        elif self.status == "pending":
            qs = qs.pending()
        elif self.status:
            qs = qs.filter(status=self.status)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.q:
            qs = qs.filter(Q(customer_name__icontains=self.q) | Q(customer_domain__icontains=self.q))
        if self.partner:
            qs = qs.filter(partner_id=_uuid_or_none(self.partner))
        if self.product:
            qs = qs.filter(deal_products__product__code=self.product).distinct()
        return qs

    def querystring(self) -> str:
        from django.utils.http import urlencode

        return urlencode({k: v for k, v in self.__dict__.items() if v})


def _uuid_or_none(value: str):
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def deal_list(request, filters: DealFilters) -> QuerySet:
    return (filters.apply(deals_visible_to(request))
            .select_related("partner")
            # A plain list per deal: the template then iterates it without building a related
            # manager and queryset for every row.
            .prefetch_related(Prefetch("products", queryset=Product.objects.order_by("name"), to_attr="product_list"))
            .order_by("-submitted_at"))


def export_rows(request, filters: DealFilters):
    """Rows for the CSV export; partners never get other partners' names (no attribution column)."""
    membership = request.membership
    staff = not membership.is_partner
    qs = deal_list(request, filters).select_related("submitted_by")
    if staff:
        qs = qs.prefetch_related(Prefetch("deal_partners", queryset=DealPartner.objects.select_related("partner")))
    header = [_("Reference"), _("Kind"), _("Customer"), _("Domain"), _("Country"), _("Status"), _("Stage"),
              _("Amount"), _("Currency"), _("Amount (%(base)s)") % {"base": membership.tenant.base_currency},
              _("Expected close"), _("Products"), _("Submitted"), _("Protected until"), _("Final amount"),
              _("Closed on"), _("Lost reason")]
    if staff:
        header[2:2] = [_("Partner"), _("Submitted by")]
        header.append(_("Credited partners"))

    def rows():
        for d in qs.iterator(chunk_size=500):
            row = [str(d.pk), d.get_kind_display(), d.customer_name, d.customer_domain, d.country.code if d.country else "",
                   d.get_status_display(), d.get_stage_display(), d.amount, d.currency, d.base_amount,
                   d.expected_close_date, ", ".join(p.name for p in d.product_list), d.submitted_at.date(),
                   d.protected_until, d.won_amount, d.closed_on, d.lost_reason]
            if staff:
                row[2:2] = [d.partner.name, d.submitted_by.email if d.submitted_by else ""]
                row.append("; ".join(f"{dp.partner.name} ({dp.get_role_display()})" for dp in d.deal_partners.all()))
            yield row

    return header, rows()


# --- Review queue -------------------------------------------------------------------------------


@dataclass
class QueueItem:
    deal: DealRegistration
    matches: list[Match]
    sla: dict | None
    recommendation: str  # approve | reject
    advice: str
    first_in_group: bool = False


@dataclass
class QueueGroup:
    items: list[QueueItem] = field(default_factory=list)

    @property
    def conflicted(self) -> bool:
        return len(self.items) > 1 or any(i.matches for i in self.items)


def _advice(deal: DealRegistration, matches: list[Match]) -> tuple[str, str]:
    house = [m for m in matches if m.is_house_account]
    if house:
        return "reject", _("Matches the house account %(name)s: the vendor sells to this customer directly.") % {
            "name": house[0].name}
    protected = [m for m in matches if m.is_protected]
    if protected:
        m = protected[0]
        return "reject", _("Already protected for %(partner)s until %(date)s.") % {
            "partner": m.partner_name, "date": formats.date_format(m.protected_until, "SHORT_DATE_FORMAT")}
    earlier = [m for m in matches if m.source == "deal" and m.submitted_at and m.submitted_at < deal.submitted_at]
    if earlier:
        m = min(earlier, key=lambda x: x.submitted_at)
        return "reject", _("%(partner)s registered this customer first (%(date)s): first come, first served.") % {
            "partner": m.partner_name, "date": formats.date_format(timezone.localtime(m.submitted_at), "SHORT_DATETIME_FORMAT")}
    if matches:
        return "approve", _("Registered first among %(n)d look-alike registration(s): first come, first served.") % {
            "n": len(matches) + 1}
    return "approve", _("No conflict found.")


def review_queue(request, *, page_number=None, status: str = "") -> tuple[Page, list[QueueGroup]]:
    """Pending registrations, oldest first, grouped with their look-alikes and a recommendation.

    A constant number of queries however long the queue: one page of deals, one prefetch, and one
    conflict query for the whole page (find_matches answers all probes at once).
    """
    tenant = request.tenant
    qs = deals_visible_to(request).pending()
    if status in DealRegistration.PENDING_STATUSES:
        qs = qs.filter(status=status)
    qs = (qs.select_related("partner", "partner__tier", "submitted_by")
          .prefetch_related(Prefetch("products", queryset=Product.objects.order_by("name")))
          .order_by("submitted_at", "pk"))
    page = Paginator(qs, QUEUE_PAGE_SIZE).get_page(page_number)
    deals = list(page.object_list)
    matches = find_matches(tenant, [Probe.for_deal(d) for d in deals])
    # Group the page's deals that match each other (union-find on the match graph).
    parent = {d.pk: d.pk for d in deals}

    def root(pk):
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for d in deals:
        for m in matches[d.pk]:
            if m.id in parent:
                parent[root(m.id)] = root(d.pk)
    groups: dict = {}
    now = timezone.now()
    for d in deals:  # already oldest first, so groups and their items are too
        recommendation, advice = _advice(d, matches[d.pk])
        sla = time_left(d.sla_due_at, now) if d.status == DealRegistration.Status.SUBMITTED else None
        group = groups.setdefault(root(d.pk), QueueGroup())
        group.items.append(QueueItem(d, matches[d.pk], sla, recommendation, advice, first_in_group=not group.items))
    return page, list(groups.values())


# --- Deal page --------------------------------------------------------------------------------


def deal_history(deal: DealRegistration, *, staff: bool) -> QuerySet:
    qs = DealHistory.objects.filter(deal=deal).select_related("actor").order_by("seq")
    return qs if staff else qs.filter(internal=False)


def deal_detail_context(deal: DealRegistration, membership) -> dict:
    staff = not membership.is_partner
    appeal = DealAppeal.objects.filter(deal=deal).select_related("submitted_by", "decided_by").first()
    extensions = list(DealExtension.objects.filter(deal=deal).select_related("requested_by", "decided_by"))
    context = {
        "deal": deal,
        "products": list(deal.products.order_by("name")),
        "history": list(deal_history(deal, staff=staff)),
        "appeal": appeal,
        "extensions": extensions,
        "pending_extension": next((e for e in extensions if e.status == DealExtension.Status.PENDING), None),
        "sla": time_left(deal.sla_due_at) if deal.status == DealRegistration.Status.SUBMITTED else None,
    }
    probe = Probe.for_deal(deal)
    if staff:
        context["matches"] = find_matches(deal.tenant, [probe])[probe.key] if deal.is_pending or deal.status == "rejected" else []
        context["deal_partners"] = list(DealPartner.objects.filter(deal=deal).select_related("partner"))
        from deals.history import verify_chain

        context["chain_problems"] = verify_chain(deal, context["history"])
    else:
        # Partners learn only that a look-alike exists, never whose or which.
        context["possible_conflict"] = deal.is_pending and bool(find_matches(deal.tenant, [probe])[probe.key])
        role = DealPartner.objects.filter(deal=deal, partner_id=membership.partner_id).values_list(
            "role", flat=True).first()
        context["my_role"] = DealPartner.Role(role).label if role else ""
    return context


# --- Home widgets -----------------------------------------------------------------------------


def partner_widget(request) -> dict:
    today = timezone.localdate()
    qs = deals_visible_to(request)
    counts = qs.aggregate(
        pending=Count("pk", filter=Q(status__in=DealRegistration.PENDING_STATUSES)),
        protected=Count("pk", filter=Q(status=DealRegistration.Status.APPROVED, protected_until__gte=today)),
        info=Count("pk", filter=Q(status=DealRegistration.Status.INFO_REQUESTED)),
    )
    expiring = list(qs.filter(status=DealRegistration.Status.APPROVED, protected_until__gte=today,
                              protected_until__lte=today + timedelta(days=14)).order_by("protected_until")[:5])
    return {**counts, "expiring": expiring}


def staff_widget(request) -> dict:
    now = timezone.now()
    membership = request.membership
    qs = deals_visible_to(request)
    counts = qs.aggregate(
        queue=Count("pk", filter=Q(status__in=DealRegistration.PENDING_STATUSES)),
        breached=Count("pk", filter=Q(status=DealRegistration.Status.SUBMITTED, sla_due_at__lt=now)),
    )
    counts["appeals"] = DealAppeal.objects.filter(tenant_id=membership.tenant_id, status=DealAppeal.Status.PENDING).count()
    counts["extensions"] = DealExtension.objects.filter(tenant_id=membership.tenant_id,
                                                        status=DealExtension.Status.PENDING).count()
    return counts
