"""Who is looking: the one object every access helper and selector takes.

A `Viewer` is the signed-in member of the request's tenant (`request.viewer`, set by
MembershipMiddleware). It answers the one question every app asks — which rows of a partner-owned
table may this person see — in one place, `Viewer.scope`:

- a partner member sees their own organisation's rows;
- staff see the tenant's rows, except a channel manager whom the tenant confines to a *book* of
  partners: they see only rows of the partners in it.

The core knows nothing of partners or books: the `partners` app registers the book rule with
`register_book(...)` from its AppConfig.ready(). Example, in any app's selectors::

    def claims_visible_to(viewer: Viewer) -> QuerySet[MdfClaim]:
        return viewer.scope(MdfClaim.objects.all())          # rows with a `partner` foreign key

    def claim_for(viewer: Viewer, claim_id) -> MdfClaim:
        return viewer.get(MdfClaim.objects.select_related("partner"), claim_id)   # or Http404

    viewer.scope(ProofFile.objects.all(), field="claim__partner")   # the partner is further away
    viewer.scope(Partner.objects.all(), field=None)                  # the rows are partners
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import Model, Q, QuerySet
from django.shortcuts import get_object_or_404

if TYPE_CHECKING:
    from prm.tenancy.models import Membership, Tenant

# fn(viewer) -> a queryset of partner primary keys the viewer may see, or None for "all of them".
BookRule = Callable[["Viewer"], "QuerySet | None"]
_book_rules: list[BookRule] = []


def register_book(rule: BookRule) -> None:
    """Register the rule that confines a staff member to a book of partners (partners app)."""
    if rule not in _book_rules:
        _book_rules.append(rule)


@dataclass(frozen=True, eq=False)
class Viewer:
    tenant: Tenant
    membership: Membership
    user: Any

    @classmethod
    def of(cls, membership: Membership, user=None) -> Viewer:
        """The viewer of a membership (tests, tasks and commands that act as someone)."""
        return cls(tenant=membership.tenant, membership=membership, user=user or membership.user)

    # --- who: the membership's own answers -------------------------------------------------
    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def is_partner(self) -> bool:
        return self.membership.is_partner

    @property
    def is_staff(self) -> bool:
        return self.membership.is_staff_role

    @property
    def can_manage(self) -> bool:
        return self.membership.can_manage

    @property
    def is_tenant_admin(self) -> bool:
        return self.membership.is_tenant_admin

    @property
    def partner(self):
        return self.membership.partner

    @property
    def partner_id(self):
        return self.membership.partner_id

    # --- what they may see -----------------------------------------------------------------
    @cached_property
    def book(self) -> QuerySet | None:
        """Primary keys of the partners a confined staff member may see (a subquery), or None
        when they see every partner of the tenant. Partner members have no book: see `scope`."""
        if self.is_partner:
            return None
        for rule in _book_rules:
            book = rule(self)
            if book is not None:
                return book
        return None

    @property
    def confined(self) -> bool:
        return self.book is not None

    def scope(self, qs: QuerySet, field: str | None = "partner", *, unowned: bool = False) -> QuerySet:
        """`qs` narrowed to the tenant and to what this viewer may see. `field` is the path to the
        row's partner (None when the rows are partners themselves). `unowned=True`: rows without a
        partner (e.g. staff memberships) stay visible to staff."""
        qs = qs.filter(tenant=self.tenant)
        key = "pk" if field is None else field
        if self.is_partner:
            return qs.filter(**{key if field is None else f"{field}_id": self.partner_id})
        if self.book is not None:
            mine = Q(**{f"{key}__in": self.book})
            qs = qs.filter(mine | Q(**{f"{key}__isnull": True}) if unowned else mine)
        return qs

    def get(self, qs: QuerySet, pk, field: str | None = "partner", *, unowned: bool = False) -> Model:
        """One row this viewer may see, or Http404 (not found and not yours look the same)."""
        return get_object_or_404(self.scope(qs, field, unowned=unowned), pk=pk)
