"""The back office: every incentive admin page works for channel managers without N+1 queries;
money-moving forms go through the services (form errors, ledger entries); the ledger is read-only."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from incentives.models import Account, JournalEntry, MdfAllocation, SpifAccrual, SpifProgram
from incentives.services import ledger, spif_reevaluate
from prm.tenancy.demo import DEMO_TENANTS, seed_tenant
from prm.tenancy.scoping import tenant_scope
from prm.tenancy.sessions import bind_session
from tests.factories import MdfFundFactory, SpifProgramFactory, WonDealFactory, mdf_partner

pytestmark = pytest.mark.django_db


def admin_client(tenant, user) -> Client:
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost", raise_request_exception=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    bind_session(client.session, tenant)
    return client


def test_every_incentive_admin_page_renders_for_a_channel_manager():
    with scopes_disabled():
        ctx = seed_tenant(DEMO_TENANTS[0], log=lambda *_: None)
    client = admin_client(ctx.tenant, ctx.users["manager"])
    models = [m for m in apps.get_app_config("incentives").get_models() if m in admin.site._registry]
    assert len(models) >= 8
    for model in models:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        with scopes_disabled():
            obj = model._default_manager.filter(tenant=ctx.tenant).first()
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert client.get(change).status_code == 200, change
    # The ledger cannot be edited or deleted, even by a tenant admin.
    with scopes_disabled():
        entry = JournalEntry.objects.filter(tenant=ctx.tenant).first()
    boss = admin_client(ctx.tenant, ctx.users["admin"])
    with pytest.raises(NoReverseMatch):  # not even routed
        reverse("admin:incentives_journalentry_delete", args=[entry.pk])
    assert boss.post(f"/admin/incentives/journalentry/{entry.pk}/delete/", {"post": "yes"}).status_code in (302, 404)
    assert boss.post(reverse("admin:incentives_journalentry_change", args=[entry.pk]), {"memo": "x"}).status_code == 403
    assert boss.get(reverse("admin:incentives_journalentry_add")).status_code == 403
    with scopes_disabled():
        assert JournalEntry.objects.filter(pk=entry.pk, memo=entry.memo).exists()


def test_admin_allocation_form_goes_through_the_service(tenant, members, fund, partner):
    client = admin_client(tenant, members["channel_manager"])
    url = reverse("admin:incentives_mdfallocation_add")
    data = {"fund": fund.pk, "partner": partner.pk, "currency": "USD", "amount": "60000", "note": ""}
    response = client.post(url, data)
    assert response.status_code == 200 and "Only 50,000.00 USD of this fund is unallocated" in response.content.decode()
    with tenant_scope(tenant):
        assert not MdfAllocation.objects.exists()
        assert ledger.balance(Account.MDF_UNALLOCATED, fund=fund) == Decimal("50000")
    response = client.post(url, {**data, "amount": "20000"})
    assert response.status_code == 302
    with tenant_scope(tenant):
        allocation = MdfAllocation.objects.get()
        assert ledger.balance(Account.MDF_AVAILABLE, allocation=allocation) == Decimal("20000")
    change = reverse("admin:incentives_mdfallocation_change", args=[allocation.pk])
    assert client.post(change, {**data, "amount": "25000"}).status_code == 302
    with tenant_scope(tenant):
        assert ledger.balance(Account.MDF_UNALLOCATED, fund=fund) == Decimal("25000")


def test_admin_programs_are_configured_by_tenant_admins_only(tenant, members):
    today = timezone.localdate()
    data = {"name": "Admin SPIF", "description": "", "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=30)).isoformat(), "is_active": "on", "rule": "flat",
            "flat_amount": "250", "percent": "", "cap_per_partner": "", "budget": "5000"}
    for prefix in ("bands", "tier_links", "type_links", "product_links"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    url = reverse("admin:incentives_spifprogram_add")
    assert admin_client(tenant, members["channel_manager"]).post(url, data).status_code == 403
    response = admin_client(tenant, members["tenant_admin"]).post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_scope(tenant):
        program = SpifProgram.objects.get()
        assert program.currency == "USD"
        assert -ledger.balance(Account.SPIF_BUDGET, program=program) == Decimal("5000")


def test_admin_action_approves_accruals_into_a_batch(tenant, members, partner):
    SpifProgramFactory(tenant=tenant)
    WonDealFactory(tenant=tenant, partner=partner)
    WonDealFactory(tenant=tenant, partner=mdf_partner(tenant))
    with tenant_scope(tenant):
        spif_reevaluate(tenant=tenant)
        ids = [str(pk) for pk in SpifAccrual.objects.values_list("pk", flat=True)]
    response = admin_client(tenant, members["channel_manager"]).post(
        reverse("admin:incentives_spifaccrual_changelist"), {"action": "approve_into_batch", "_selected_action": ids})
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert set(SpifAccrual.objects.values_list("status", flat=True)) == {"approved"}
        assert ledger.balance(Account.SPIF_APPROVED) == Decimal("1000.00")


def test_incentive_change_lists_show_money_with_its_currency_as_the_portal_does(tenant, members, partner):
    """Budgets, accruals and a batch's payout: `12,500.00 USD` (incentives.money.format_money: each
    currency's own decimals), one right-aligned column instead of a raw amount and a currency column."""
    tenant.allowed_currencies = "USD,EUR,JPY"
    tenant.save()
    MdfFundFactory(tenant=tenant, name="Dollar fund", budget=Decimal("12500"))
    MdfFundFactory(tenant=tenant, name="Yen fund", currency="JPY", budget=Decimal("1250000"))
    SpifProgramFactory(tenant=tenant)
    WonDealFactory(tenant=tenant, partner=partner)
    WonDealFactory(tenant=tenant, partner=mdf_partner(tenant))
    with tenant_scope(tenant):
        spif_reevaluate(tenant=tenant)
        ids = [str(pk) for pk in SpifAccrual.objects.values_list("pk", flat=True)]
    client = admin_client(tenant, members["channel_manager"])
    client.post(reverse("admin:incentives_spifaccrual_changelist"), {"action": "approve_into_batch",
                                                                      "_selected_action": ids})

    funds = client.get(reverse("admin:incentives_mdffund_changelist")).content.decode()
    assert '<td class="field-money_budget"><span class="money">12,500.00 USD</span></td>' in funds
    assert '<span class="money">1,250,000 JPY</span>' in funds  # no decimals in yen
    assert "column-currency" not in funds
    accruals = client.get(reverse("admin:incentives_spifaccrual_changelist")).content.decode()
    assert accruals.count('<span class="money">500.00 USD</span>') == 2
    batches = client.get(reverse("admin:incentives_payoutbatch_changelist")).content.decode()
    assert '<td class="field-money_total"><span class="money">1,000.00 USD</span></td>' in batches
    client.cookies["django_language"] = "de"
    funds = client.get(reverse("admin:incentives_mdffund_changelist")).content.decode()
    assert '<span class="money">12.500,00 USD</span>' in funds and '<span class="money">1.250.000 JPY</span>' in funds
