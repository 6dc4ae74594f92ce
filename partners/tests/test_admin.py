"""The tenant-aware back office (prm.tenancy.admin_site) as the partners app's admin uses it.

(Here rather than in prm/tests: the core's tests do not import feature apps.)"""

import pytest

pytestmark = pytest.mark.django_db


def test_admin_saves_set_the_tenant_and_choices_stay_inside_it(tenant, other_tenant, members, client_for):
    from django_scopes import scopes_disabled

    from partners.models import PartnerType
    from tests.factories import PartnerTypeFactory

    PartnerTypeFactory(tenant=other_tenant, code="foreign", name="Foreign type")
    client = client_for(tenant, members["tenant_admin"])
    response = client.post("/admin/partners/partnertype/add/", {"name": "MSP", "code": "msp", "description": "", "transacts": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        created = PartnerType.objects.get(code="msp")
    assert created.tenant == tenant
    form = client.get("/admin/partners/partner/add/").content.decode()
    assert "Foreign type" not in form


def test_the_tiers_change_list_shows_the_revenue_requirement_in_the_tenants_base_currency(tenant, members,
                                                                                       client_for):
    from decimal import Decimal

    from tests.factories import TierFactory

    tenant.base_currency = "EUR"
    tenant.save()
    for rank, revenue in ((1, "0"), (2, "50000"), (3, "250000"), (4, "1000000")):
        TierFactory(tenant=tenant, rank=rank, min_won_revenue_12m=Decimal(revenue))
    page = client_for(tenant, members["tenant_admin"]).get("/admin/partners/tier/").content.decode()
    assert '<td class="field-money_min_won_revenue_12m"><span class="money">1,000,000.00 EUR</span></td>' in page
    assert '<span class="money">0.00 EUR</span>' in page and "50,000.00 EUR" in page
