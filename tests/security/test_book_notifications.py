"""Notifications about a partner's business go only to staff who may see that partner."""

from __future__ import annotations

import pytest

from tests.security.test_book import confine

pytestmark = pytest.mark.django_db


def test_notifications_about_a_partner_reach_only_managers_who_may_see_it(tenant, members, make_member):
    """A partner without its own manager: every manager hears about it, unless the tenant confines
    channel managers to their book: then tenant admins and those the partner is shared with."""
    from partners.selectors import managers_for
    from prm.tenancy.scoping import tenant_scope
    from tests.factories import PartnerFactory

    sharer = make_member(tenant, "channel_manager", email="shared@acme.test")
    with tenant_scope(tenant):
        orphan = PartnerFactory(tenant=tenant, owner=None)
        everyone = {u.email for u in managers_for(tenant, orphan)}
        assert everyone == {members["channel_manager"].email, members["tenant_admin"].email, sharer.email}
        confine(tenant)
        from partners.services.organisations import partner_book_add

        partner_book_add(tenant=tenant, partner=orphan, manager=sharer, actor=members["tenant_admin"])
        assert {u.email for u in managers_for(tenant, orphan)} == {members["tenant_admin"].email, sharer.email}
        owned = PartnerFactory(tenant=tenant, owner=members["channel_manager"])
        assert [u.email for u in managers_for(tenant, owned)] == [members["channel_manager"].email]
