"""Reads for the deal pages, the review queue, exports and home widgets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from deals.conflicts import Match, Probe, find_matches
from deals.models import DealAppeal, DealExtension, DealHistory, DealPartner, DealRegistration, HouseAccount, Product
from deals.sla import time_left
from prm.tenancy.viewer import Viewer

QUEUE_PAGE_SIZE = 25
LIST_PAGE_SIZE = 50
# What the deal list shows (deals have some forty columns; a page builds fifty of them).
LIST_COLUMNS = ("kind", "customer_name", "customer_domain", "status", "amount", "won_amount", "currency",
                "expected_close_date", "protected_until", "submitted_at", "partner_id", "partner__name")


def deals_visible_to(viewer: Viewer) -> QuerySet:
    """Partners see their organisation's registrations; staff the tenant's (a confined channel
    manager only their book's)."""
    return viewer.scope(DealRegistration.objects.all())


def deal_for(viewer: Viewer, deal_id) -> DealRegistration:
    """One deal the member may see, or Http404 (not found and not yours look the same)."""
    return viewer.get(deals_visible_to(viewer).select_related(
        "partner", "partner__tier", "partner__partner_type", "submitted_by", "decided_by"), deal_id)


@dataclass
class DealFilters:
    status: str = ""
    kind: str = ""
    q: str = ""
    partner: str = ""
    product: str = ""
    origin: str = ""

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
            origin=params.get("origin", "") if params.get("origin", "") in DealRegistration.Origin.values else "",
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
        if self.origin:
            qs = qs.filter(origin=self.origin)
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


def deal_list(viewer: Viewer, filters: DealFilters) -> QuerySet:
    return (filters.apply(deals_visible_to(viewer))
            .select_related("partner")
            # A plain list per deal: the template then iterates it without building a related
            # manager and queryset for every row.
            .prefetch_related(Prefetch("products", queryset=Product.objects.order_by("name"), to_attr="product_list"))
            .order_by("-submitted_at"))


def export_rows(viewer: Viewer, filters: DealFilters):
    """Rows for the CSV export; partners never get other partners' names (no attribution column)."""
    membership = viewer.membership
    staff = not membership.is_partner
    qs = deal_list(viewer, filters).select_related("submitted_by")
    if staff:
        qs = qs.prefetch_related(Prefetch("deal_partners", queryset=DealPartner.objects.select_related("partner")))
    header = [_("Reference"), _("Kind"), _("Customer"), _("Domain"), _("Country"), _("Status"), _("Stage"),
              _("Amount"), _("Currency"), _("Amount (%(base)s)") % {"base": viewer.tenant.base_currency},
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
            "partner": m.partner_label, "date": formats.date_format(m.protected_until, "SHORT_DATE_FORMAT")}
    earlier = [m for m in matches if m.source == "deal" and m.submitted_at and m.submitted_at < deal.submitted_at]
    if earlier:
        m = min(earlier, key=lambda x: x.submitted_at)
        return "reject", _("%(partner)s registered this customer first (%(date)s): first come, first served.") % {
            "partner": capfirst(m.partner_label),
            "date": formats.date_format(timezone.localtime(m.submitted_at), "SHORT_DATETIME_FORMAT")}
    if matches:
        return "approve", _("Registered first among %(n)d look-alike registration(s): first come, first served.") % {
            "n": len(matches) + 1}
    return "approve", _("No conflict found.")


def review_queue(viewer: Viewer, *, page_number=None, status: str = "") -> tuple[Page, list[QueueGroup]]:
    """Pending registrations, oldest first, grouped with their look-alikes and a recommendation.

    A constant number of queries however long the queue: one page of deals, one prefetch, and one
    conflict query for the whole page (find_matches answers all probes at once).
    """
    tenant = viewer.tenant
    qs = deals_visible_to(viewer).pending()
    if status in DealRegistration.PENDING_STATUSES:
        qs = qs.filter(status=status)
    qs = (qs.select_related("partner", "partner__tier", "submitted_by")
          .prefetch_related(Prefetch("products", queryset=Product.objects.order_by("name")))
          .order_by("submitted_at", "pk"))
    page = Paginator(qs, QUEUE_PAGE_SIZE).get_page(page_number)
    deals = list(page.object_list)
    matches = find_matches(tenant, [Probe.for_deal(d) for d in deals])
    mark_outside_book(viewer, [m for found in matches.values() for m in found])
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


def describe_history(viewer: Viewer, entries: list[DealHistory]) -> list[DealHistory]:
    """Give each entry `lines`: its changes as readable (label, text) pairs. Look-alike candidates
    are named, by one query for the whole history, and only as far as the viewer may see them."""
    from prm.audit.display import describe_changes

    deal_ids = {c.get("id") for e in entries for c in (e.changes or {}).get("candidates", [])
                if c.get("source") == "deal"}
    house_ids = {c.get("id") for e in entries for c in (e.changes or {}).get("candidates", [])
                 if c.get("source") == "house_account"}
    seen = {str(pk): name for pk, name in deals_visible_to(viewer).filter(pk__in=deal_ids)
            .values_list("pk", "customer_name")} if deal_ids else {}
    houses = {str(pk): name for pk, name in HouseAccount.objects.filter(pk__in=house_ids)
              .values_list("pk", "name")} if house_ids else {}
    for entry in entries:
        changes = dict(entry.changes or {})
        candidates = changes.pop("candidates", None)
        entry.lines = describe_changes(changes)
        for c in candidates or []:
            if c.get("source") == "house_account":
                what = _("house account %(name)s") % {"name": houses.get(c.get("id"), "—")}
            elif c.get("id") in seen:
                what = seen[c["id"]]
            else:
                what = _("a registration outside your book") if viewer.confined else _("a registration since removed")
            score = c.get("score")
            reasons = "; ".join(c.get("reasons") or [])
            entry.lines.append((_("Look-alike"), f"{what} ({score:.2f}) {reasons}".strip() if isinstance(score, int | float)
                                else f"{what} {reasons}".strip()))
    return entries


def mark_outside_book(viewer: Viewer, matches: list[Match]) -> None:
    """Flag look-alikes whose partner the (confined) viewer may not see (one query)."""
    if viewer.book is None:
        return
    ids = {m.partner_id for m in matches if m.partner_id is not None}
    mine = set(viewer.book.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    for m in matches:
        m.outside_book = m.partner_id is not None and m.partner_id not in mine


def deal_detail_context(deal: DealRegistration, viewer: Viewer) -> dict:
    membership = viewer.membership
    staff = not membership.is_partner
    appeal = DealAppeal.objects.filter(deal=deal).select_related("submitted_by", "decided_by").first()
    extensions = list(DealExtension.objects.filter(deal=deal).select_related("requested_by", "decided_by"))
    context = {
        "deal": deal,
        "products": list(deal.products.order_by("name")),
        "history": describe_history(viewer, list(deal_history(deal, staff=staff))),
        # The raw record names look-alikes by id: only for staff who see every partner.
        "raw_history": staff and not viewer.confined,
        "appeal": appeal,
        "extensions": extensions,
        "pending_extension": next((e for e in extensions if e.status == DealExtension.Status.PENDING), None),
        "sla": time_left(deal.sla_due_at) if deal.status == DealRegistration.Status.SUBMITTED else None,
    }
    probe = Probe.for_deal(deal)
    if staff:
        context["matches"] = find_matches(deal.tenant, [probe])[probe.key] if deal.is_pending or deal.status == "rejected" else []
        mark_outside_book(viewer, context["matches"])
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


def partner_widget(viewer: Viewer) -> dict:
    today = timezone.localdate()
    qs = deals_visible_to(viewer)
    counts = qs.aggregate(
        pending=Count("pk", filter=Q(status__in=DealRegistration.PENDING_STATUSES)),
        protected=Count("pk", filter=Q(status=DealRegistration.Status.APPROVED, protected_until__gte=today)),
        info=Count("pk", filter=Q(status=DealRegistration.Status.INFO_REQUESTED)),
    )
    expiring = list(qs.filter(status=DealRegistration.Status.APPROVED, protected_until__gte=today,
                              protected_until__lte=today + timedelta(days=14)).order_by("protected_until")[:5])
    return {**counts, "expiring": expiring}


def staff_widget(viewer: Viewer) -> dict:
    now = timezone.now()
    qs = deals_visible_to(viewer)
    counts = qs.aggregate(
        queue=Count("pk", filter=Q(status__in=DealRegistration.PENDING_STATUSES)),
        breached=Count("pk", filter=Q(status=DealRegistration.Status.SUBMITTED, sla_due_at__lt=now)),
    )
    counts["appeals"] = viewer.scope(DealAppeal.objects.filter(status=DealAppeal.Status.PENDING),
                                     field="deal__partner").count()
    counts["extensions"] = viewer.scope(DealExtension.objects.filter(status=DealExtension.Status.PENDING),
                                        field="deal__partner").count()
    return counts


# --- Registration form: company suggestions ----------------------------------------------------

SUGGESTION_LIMIT = 8
SUGGESTION_MIN_CHARS = 2


@dataclass
class CompanySuggestion:
    """A company the partner may mean while typing the customer's name on the registration form:
    one of the vendor's house accounts, or one of the partner's own earlier customers."""

    name: str
    is_house_account: bool
    domain: str = ""
    website: str = ""
    country: str = ""  # ISO code, filled into the form's country field
    rank: int = 2  # 0: the name starts with what was typed, 1: a word of it does, 2: it contains it

    @property
    def country_name(self) -> str:
        from django_countries import countries

        return str(countries.name(self.country)) if self.country else ""


def company_suggestions(viewer: Viewer, text: str, *, limit: int = SUGGESTION_LIMIT) -> list[CompanySuggestion]:
    """Companies matching what was typed (at least SUGGESTION_MIN_CHARS characters): the tenant's
    house accounts, and the customers of the viewer's own registrations (`viewer.scope`: a partner
    sees only its organisation's, never another partner's). Names that start with the text come
    first; a house account comes before the same customer registered earlier, which then is not
    listed twice. Two queries, whatever the number of registrations."""
    from django.db.models import Case, IntegerField, Value, When

    from deals.normalise import normalise_company_name

    text = " ".join(text.split())[:100]
    if len(text) < SUGGESTION_MIN_CHARS:
        return []
    norm = normalise_company_name(text)

    def matching(qs: QuerySet, name: str, normalised: str, domain: str) -> QuerySet:
        found = Q(**{f"{name}__icontains": text}) | Q(**{f"{domain}__istartswith": text.lower()})
        starts = [When(**{f"{name}__istartswith": text}, then=Value(0))]
        if norm:
            found |= Q(**{f"{normalised}__contains": norm})
            starts += [When(**{f"{normalised}__startswith": norm}, then=Value(0)),
                       When(**{f"{normalised}__contains": f" {norm}"}, then=Value(1))]
        return qs.filter(found).annotate(rank=Case(*starts, default=Value(2), output_field=IntegerField()))

    houses = [CompanySuggestion(name=name, is_house_account=True, domain=domain, rank=rank)
              for name, normalised, domain, rank in matching(
                  HouseAccount.objects.filter(tenant=viewer.tenant), "name", "name_normalised", "domain")
              .order_by("rank", "name").values_list("name", "name_normalised", "domain", "rank")[:limit]]
    house_names = {normalise_company_name(h.name) for h in houses}
    house_domains = {h.domain for h in houses if h.domain}
    # The latest registration of each customer, best matches first. A partner who registered the
    # same customer very often could crowd out others from this slice; five per place is plenty.
    rows = (matching(deals_visible_to(viewer), "customer_name", "customer_name_normalised", "customer_domain")
            .order_by("rank", "-submitted_at")
            .values_list("customer_name", "customer_name_normalised", "customer_domain", "website", "country",
                         "customer_key", "rank")[:limit * 5])
    customers, seen = [], set()
    for name, normalised, domain, website, country, key, rank in rows:
        if key in seen or normalised in house_names or (domain and domain in house_domains):
            continue
        seen.add(key)
        customers.append(CompanySuggestion(name=name, is_house_account=False, domain=domain, website=website,
                                           country=str(country or ""), rank=rank))
        if len(customers) == limit:
            break
    merged = sorted(houses + customers, key=lambda s: (s.rank, not s.is_house_account))
    return merged[:limit]
