"""The tenant-aware back office (prm.tenancy.admin_site) as the deals app's admin uses it.

(Here rather than in prm/tests: the core's tests do not import feature apps.)"""

import pytest

pytestmark = pytest.mark.django_db


def test_admin_shows_a_read_only_user_as_text_not_as_a_link_to_the_platform_user_page(tenant, partner, members,
                                                                                       client_for):
    """Users are platform objects: a tenant's back office may name them, not link to their admin page
    (only platform superusers may open it: a 403 for everyone else)."""
    from deals.models import DealPartner
    from prm.tenancy.scoping import tenant_scope
    from tests.factories import DealFactory, PartnerFactory

    author = members["partner_admin"]
    deal = DealFactory(tenant=tenant, partner=partner, submitted_by=author)
    with tenant_scope(tenant):
        DealPartner.objects.create(tenant=tenant, deal=deal, partner=PartnerFactory(tenant=tenant), role="influenced",
                                   added_by=members["channel_manager"])
    client = client_for(tenant, members["channel_manager"])
    page = client.get(f"/admin/deals/dealregistration/{deal.pk}/change/").content.decode()
    assert str(author) in page and str(members["channel_manager"]) in page  # named, in the form and the inline
    assert "/admin/accounts/user/" not in page
    assert client.get(f"/admin/accounts/user/{author.pk}/change/").status_code == 403
