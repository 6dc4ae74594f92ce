"""Partners register deals and referrals: inline validation, neutral conflict hint, idempotency."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from deals.models import DealHistory, DealPartner, DealRegistration, DealSettings
from prm.events.models import EngagementEvent
from prm.notifications.models import Notification
from prm.tenancy.scoping import tenant_scope
from tests.factories import CurrencyRateFactory, DealFactory, PartnerFactory, set_settings

pytestmark = pytest.mark.django_db


def form_post(product, nonce=None, **overrides) -> dict:
    data = {
        "customer_name": "Initech, Inc.", "website": "initech.com", "country": "US", "contact_name": "Peter Gibbons",
        "contact_email": "peter@initech.com", "contact_title": "CTO", "products": [str(product.pk)],
        "amount": "25000", "currency": "USD",
        "expected_close_date": (timezone.localdate() + timedelta(days=30)).isoformat(), "stage": "qualified",
        "notes": "", "nonce": str(nonce or uuid.uuid4()),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def count(tenant, model) -> int:
    with tenant_scope(tenant):
        return model.objects.count()


def test_partner_registers_a_deal_and_the_manager_is_told(tenant, partner, members, product, client_for,
                                                          django_capture_on_commit_callbacks):
    partner.owner = members["channel_manager"]
    partner.save()
    client = client_for(tenant, members["partner_user"])
    page = client.get(reverse("deals:register"))
    assert page.status_code == 200 and b'name="nonce"' in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("deals:register"), form_post(product))

    with tenant_scope(tenant):
        deal = DealRegistration.objects.get()
        assert response.status_code == 302 and response.url == reverse("deals:detail", args=[deal.pk])
        assert (deal.customer_name_normalised, deal.customer_domain, deal.customer_key) == ("initech", "initech.com", "d:initech.com")
        assert deal.status == "submitted" and deal.submitted_by == members["partner_user"] and deal.partner == partner
        assert deal.base_amount == Decimal("25000.00") and deal.sla_due_at > deal.submitted_at
        assert list(deal.products.all()) == [product]
        assert list(DealPartner.objects.values_list("partner_id", "role")) == [(partner.pk, "sourced")]
        assert list(DealHistory.objects.values_list("action", "to_status")) == [("registered", "submitted")]
        assert EngagementEvent.objects.filter(kind="deal_registered", partner=partner).count() == 1
        assert Notification.objects.filter(user=members["channel_manager"], title__contains="Initech").exists()
    assert any("Initech" in m.subject for m in mail.outbox if members["channel_manager"].email in m.to)


BAD_INPUT = [
    ("negative amount", {"amount": "-5"}, "amount", "greater than zero"),
    ("zero amount", {"amount": "0"}, "amount", "greater than zero"),
    ("absurd amount", {"amount": "5000000000"}, "amount", "looks like a typo"),
    ("unknown currency", {"currency": "XYZ"}, "currency", "XYZ"),
    ("close date in the past", {"expected_close_date": "2020-01-01"}, "expected_close_date", "cannot be in the past"),
    ("missing domain and email", {"website": "", "contact_email": ""}, "website", "website"),
    ("only a free-mail contact", {"website": "", "contact_email": "peter@gmail.com"}, "website", "gmail.com"),
    ("website is an email provider", {"website": "outlook.com"}, "website", "email provider"),
    ("no products", {"products": []}, "products", "at least one product"),
    ("no customer", {"customer_name": "  "}, "customer_name", "company name"),
    ("not a number", {"amount": "lots"}, "amount", "number"),
]


@pytest.mark.parametrize("case, overrides, field, message", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_gets_a_clear_message_and_nothing_is_saved(tenant, partner, members, product, client_for,
                                                              case, overrides, field, message):
    client = client_for(tenant, members["partner_user"])
    response = client.post(reverse("deals:register"), form_post(product, **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message.lower() in " ".join(errors[field]).lower(), errors
    for model in (DealRegistration, DealHistory, DealPartner, EngagementEvent):
        assert count(tenant, model) == 0


def test_a_double_click_submits_one_registration(tenant, partner, members, product, client_for):
    client = client_for(tenant, members["partner_user"])
    nonce = uuid.uuid4()
    first = client.post(reverse("deals:register"), form_post(product, nonce=nonce))
    second = client.post(reverse("deals:register"), form_post(product, nonce=nonce), follow=True)
    assert count(tenant, DealRegistration) == 1
    assert second.redirect_chain[-1][0] == first.url
    assert "already received" in second.content.decode()
    # Nothing of the registration happened twice: one history row, one event, one credit.
    assert (count(tenant, DealHistory), count(tenant, DealPartner)) == (1, 1)
    with tenant_scope(tenant):
        assert EngagementEvent.objects.filter(kind="deal_registered").count() == 1


def test_a_nonce_from_another_partner_is_refused(tenant, partner, rival, product, register, make_member, client_for):
    deal = register(rival)
    user = make_member(tenant, "partner_user", partner=partner)
    response = client_for(tenant, user).post(reverse("deals:register"), form_post(product, nonce=deal.submission_nonce))
    assert response.status_code == 400 and "already used" in response.content.decode()
    assert count(tenant, DealRegistration) == 1


def test_contact_details_can_be_optional(tenant, partner, members, product, client_for):
    set_settings(tenant, DealSettings, deal_contact_required=False)
    client = client_for(tenant, members["partner_user"])
    response = client.post(reverse("deals:register"), form_post(product, contact_name="", contact_email="", contact_title=""))
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert DealRegistration.objects.get().contact_email == ""


def test_contact_details_are_required_when_the_tenant_says_so(tenant, partner, members, product, client_for):
    response = client_for(tenant, members["partner_user"]).post(
        reverse("deals:register"), form_post(product, contact_name="", contact_email=""))
    assert response.status_code == 400
    assert {"contact_name", "contact_email"} <= set(response.context["form"].errors)


def test_amounts_in_other_currencies_are_converted_to_the_base_currency(tenant, partner, members, product, client_for):
    CurrencyRateFactory(tenant=tenant, currency="EUR", rate=Decimal("1.10"))
    client_for(tenant, members["partner_user"]).post(reverse("deals:register"), form_post(product, currency="EUR"))
    with tenant_scope(tenant):
        deal = DealRegistration.objects.get()
    assert (deal.amount, deal.currency, deal.base_amount) == (Decimal("25000.00"), "EUR", Decimal("27500.00"))


def test_a_missing_rate_leaves_the_base_amount_empty_until_the_admin_adds_one(tenant, partner, product, register):
    from deals.services import currency_rate_saved

    deal = register(partner, currency="GBP")
    assert deal.base_amount is None
    rate = CurrencyRateFactory(tenant=tenant, currency="GBP", rate=Decimal("1.25"),
                               valid_from=timezone.localdate() - timedelta(days=1))
    with tenant_scope(tenant):
        assert currency_rate_saved(tenant=tenant, rate=rate) == 1
        deal.refresh_from_db()
    assert deal.base_amount == Decimal("31250.00")


def test_non_transacting_partners_are_sent_to_the_lighter_referral_form(tenant, referral_partner, make_member, client_for):
    user = make_member(tenant, "partner_user", partner=referral_partner)
    client = client_for(tenant, user)
    response = client.get(reverse("deals:register"))
    assert response.status_code == 302 and response.url == reverse("deals:refer")
    form = client.get(reverse("deals:refer")).context["form"]
    assert "expected_close_date" not in form.fields and "stage" not in form.fields
    assert not form.fields["amount"].required

    response = client.post(reverse("deals:refer"), {
        "customer_name": "Cyberdyne Systems", "website": "cyberdyne.com", "contact_name": "Miles Dyson",
        "contact_email": "miles@cyberdyne.com", "currency": "USD", "notes": "Needs a security review.",
        "nonce": str(uuid.uuid4()),
    })
    assert response.status_code == 302
    with tenant_scope(tenant):
        deal = DealRegistration.objects.get()
    assert deal.kind == "referral" and deal.amount is None and deal.expected_close_date is None


def test_partners_outside_the_program_cannot_register(tenant, make_member, client_for, product):
    suspended = PartnerFactory(tenant=tenant, status="suspended")
    client = client_for(tenant, make_member(tenant, "partner_user", partner=suspended))
    page = client.get(reverse("deals:register"))
    assert page.status_code == 403 and "not active" in page.content.decode()
    assert client.post(reverse("deals:register"), form_post(product)).status_code == 403
    assert count(tenant, DealRegistration) == 0


def test_staff_cannot_use_the_partner_registration_form(tenant, members, client_for):
    assert client_for(tenant, members["channel_manager"]).get(reverse("deals:register")).status_code == 403


def test_the_live_check_shows_a_neutral_hint_and_errors_only_for_touched_fields(tenant, partner, rival, members,
                                                                                  product, register, client_for):
    register(rival, customer_name="INITECH Corporation", website="", contact_email="sales@initech.com",
             contact_name="Bill Lumbergh")
    client = client_for(tenant, members["partner_user"])
    response = client.post(reverse("deals:register_check"), {"customer_name": "Initech Inc", "kind": "deal",
                                                             "amount": "-1"}, HTTP_HX_REQUEST="true",
                           HTTP_HX_TRIGGER_NAME="amount")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="conflict-hint"' in html and "may already be registered" in html
    assert "Tailspin" not in html and "Lumbergh" not in html and "INITECH Corporation" not in html
    assert 'id="id_amount_errors"' in html and "greater than zero" in html
    # Untouched required fields do not shout yet.
    assert "Enter the expected close date" not in html

    quiet = client.post(reverse("deals:register_check"), {"customer_name": "Aperture Science", "kind": "deal"},
                        HTTP_HX_REQUEST="true").content.decode()
    assert "conflict-hint\"" in quiet and "may already be registered" not in quiet


def test_partners_keep_their_registration_current(tenant, partner, members, register, client_for):
    deal = register(partner, user=members["partner_user"])
    client = client_for(tenant, members["partner_user"])
    response = client.post(reverse("deals:update", args=[deal.pk]), {"stage": "proposal", "amount": "30000",
                                                                    "expected_close_date": "", "notes": "Pilot agreed"})
    assert response.status_code == 302
    with tenant_scope(tenant):
        deal.refresh_from_db()
        entry = DealHistory.objects.filter(deal=deal).last()
    assert (deal.stage, deal.amount, deal.base_amount, deal.notes) == ("proposal", Decimal("30000"), Decimal("30000"), "Pilot agreed")
    assert entry.action == "updated" and entry.changes["stage"] == {"from": "qualified", "to": "proposal"}


def test_an_update_with_bad_values_changes_nothing(tenant, partner, members, register, client_for):
    deal = register(partner, user=members["partner_user"])
    response = client_for(tenant, members["partner_user"]).post(
        reverse("deals:update", args=[deal.pk]), {"stage": "proposal", "amount": "-3", "expected_close_date": "2001-01-01"})
    assert response.status_code == 400
    with tenant_scope(tenant):
        deal.refresh_from_db()
        assert deal.stage == "qualified" and DealHistory.objects.filter(deal=deal).count() == 1


def test_factory_built_deals_are_consistent(tenant):
    deal = DealFactory(tenant=tenant, customer_name="Acme, Inc.", website="https://shop.acme.co.uk")
    assert (deal.customer_name_normalised, deal.customer_domain, deal.customer_key) == ("acme", "acme.co.uk", "d:acme.co.uk")
