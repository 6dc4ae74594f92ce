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


def test_the_registrations_change_list_shows_each_amount_with_its_currency_right_aligned(tenant, partner, members,
                                                                                      client_for):
    """One money column (amount + currency, grouped in the viewer's locale) instead of two raw ones."""
    from decimal import Decimal

    from tests.factories import DealFactory

    DealFactory(tenant=tenant, partner=partner, customer_name="Initech", amount=Decimal("12500.00"), currency="USD")
    DealFactory(tenant=tenant, partner=partner, customer_name="Hooli", amount=Decimal("1234567.50"), currency="EUR")
    DealFactory(tenant=tenant, partner=partner, customer_name="Umbrella", amount=None, currency="USD")
    client = client_for(tenant, members["channel_manager"])
    page = client.get("/admin/deals/dealregistration/").content.decode()
    assert '<td class="field-money_amount"><span class="money">12,500.00 USD</span></td>' in page
    assert '<span class="money">1,234,567.50 EUR</span>' in page
    assert 'class="field-money_amount">-</td>' in page  # no amount: the admin's empty value
    assert "12500.00" not in page and "column-currency" not in page
    # German: German separators.
    client.cookies["django_language"] = "de"
    assert '<span class="money">12.500,00 USD</span>' in client.get("/admin/deals/dealregistration/").content.decode()
    # Still sortable by the amount (column 5; 0 is the action checkbox), here largest first.
    by_amount = client.get("/admin/deals/dealregistration/?o=-5").content.decode()
    assert by_amount.index("Hooli") < by_amount.index("Initech")
