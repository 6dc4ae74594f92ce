"""Onboarding steps complete themselves from engagement events; finishing makes the partner active."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from partners.models import Partner, PartnerOnboarding, StepCompletion
from partners.selectors import onboarding_funnel, stuck_onboardings
from partners.services.onboarding import onboarding_checklist, onboarding_start
from prm.accounts.services import invitation_create
from prm.events.services import record_event
from prm.tenancy.scoping import tenant_scope
from tests.factories import AgreementFactory, OnboardingPathFactory, OnboardingStepFactory, PartnerFactory

pytestmark = pytest.mark.django_db

COURSE_ID = str(uuid.uuid4())
ASSET_ID = str(uuid.uuid4())
# Object types standing in for the courses, assets and deals that the apps above partners record
# events about: partners matches them generically and names no other app's models (see
# content/tests/test_onboarding_targets.py for the real content objects).
COURSE_TYPE, ASSET_TYPE, DEAL_TYPE = "lms.course", "library.asset", "crm.deal"


class FakeObject:
    """Stands in for rows of the apps above: record_event only needs _meta.label_lower and pk."""

    def __init__(self, label, pk):
        self.pk = pk
        self._meta = type("Meta", (), {"label_lower": label})


@pytest.fixture
def onboarding_partner(tenant, program):
    partner = PartnerFactory(tenant=tenant, status="onboarding", partner_type=program["types"]["reseller"],
                             description="", regions=[], specialties=[])
    path = OnboardingPathFactory(tenant=tenant, partner_type=program["types"]["reseller"], name="Reseller path")
    steps = {kind: OnboardingStepFactory(path=path, kind=kind, order=i, **extra) for i, (kind, extra) in enumerate([
        ("accept_agreement", {}), ("complete_profile", {}), ("invite_colleague", {}),
        ("complete_course", {"target_type": COURSE_TYPE, "target_id": COURSE_ID}),
        ("download_asset", {"target_type": ASSET_TYPE, "target_id": ASSET_ID}),
        ("register_deal", {}), ("manual", {}),
    ], start=1)}
    with tenant_scope(tenant):
        onboarding_start(tenant=tenant, partner=partner)
    return {"partner": partner, "path": path, "steps": steps}


def _done(tenant, partner) -> set[str]:
    with tenant_scope(tenant):
        return set(StepCompletion.objects.filter(onboarding__partner=partner).values_list("step__kind", flat=True))


def test_every_kind_of_step_completes_from_its_event_and_finishing_activates(
    tenant, onboarding_partner, members, make_member, client_for, on_commit
):
    partner = onboarding_partner["partner"]
    admin = make_member(tenant, "partner_admin", partner=partner, email="boss@partner.test")
    manager = members["channel_manager"]
    with tenant_scope(tenant), on_commit():
        from partners.services.agreements import agreement_accept
        from partners.services.organisations import partner_profile_update

        agreement = AgreementFactory(tenant=tenant)
        agreement_accept(tenant=tenant, partner=partner, agreement=agreement, user=admin,
                         shown_hash=agreement.content_hash)
        partner_profile_update(tenant=tenant, partner=partner, actor=admin, data={
            "description": "We resell.", "website": "https://www.newco.com", "country": "DE",
            "regions": ["EMEA"], "specialties": ["cloud"]})
        invitation_create(tenant=tenant, email="colleague@partner.test", role="partner_user", partner=partner,
                          invited_by=admin)
        record_event(tenant=tenant, kind="course_completed", partner=partner, user=admin,
                     obj=FakeObject(COURSE_TYPE, COURSE_ID))
        record_event(tenant=tenant, kind="content_downloaded", partner=partner, user=admin,
                     obj=FakeObject(ASSET_TYPE, ASSET_ID))
        record_event(tenant=tenant, kind="deal_registered", partner=partner, user=admin,
                     obj=FakeObject(DEAL_TYPE, str(uuid.uuid4())))
    assert _done(tenant, partner) == {"accept_agreement", "complete_profile", "invite_colleague", "complete_course",
                                      "download_asset", "register_deal"}
    with tenant_scope(tenant):
        partner.refresh_from_db()
    assert partner.status == "onboarding"  # the manual step is still open

    client = client_for(tenant, manager)
    with on_commit():
        response = client.post(reverse("partners:staff_step_tick", args=[partner.pk]),
                               {"step": str(onboarding_partner["steps"]["manual"].pk)})
    assert response.status_code == 302
    with tenant_scope(tenant):
        partner.refresh_from_db()
        onboarding = PartnerOnboarding.objects.get(partner=partner)
    assert partner.status == "active" and partner.activated_at is not None
    assert onboarding.completed_at is not None


def test_wrong_course_or_asset_does_not_complete_the_step(tenant, onboarding_partner, on_commit):
    partner = onboarding_partner["partner"]
    with tenant_scope(tenant), on_commit():
        record_event(tenant=tenant, kind="course_completed", partner=partner,
                     obj=FakeObject(COURSE_TYPE, str(uuid.uuid4())))
        record_event(tenant=tenant, kind="content_downloaded", partner=partner,
                     obj=FakeObject(COURSE_TYPE, ASSET_ID))  # right id, wrong type
    assert _done(tenant, partner) == set()


def test_step_without_a_target_accepts_any_object(tenant, program, on_commit):
    partner = PartnerFactory(tenant=tenant, status="onboarding", partner_type=program["types"]["msp"])
    path = OnboardingPathFactory(tenant=tenant, partner_type=program["types"]["msp"])
    OnboardingStepFactory(path=path, kind="download_asset")
    with tenant_scope(tenant), on_commit():
        onboarding_start(tenant=tenant, partner=partner)
        record_event(tenant=tenant, kind="content_downloaded", partner=partner,
                     obj=FakeObject(ASSET_TYPE, str(uuid.uuid4())))
    assert _done(tenant, partner) == {"download_asset"}
    with tenant_scope(tenant):
        partner.refresh_from_db()
    assert partner.status == "active"


def test_staff_inviting_the_contact_does_not_count_as_inviting_a_colleague(tenant, onboarding_partner, members, on_commit):
    partner = onboarding_partner["partner"]
    with tenant_scope(tenant), on_commit():
        invitation_create(tenant=tenant, email="contact@partner.test", role="partner_admin", partner=partner,
                          invited_by=members["channel_manager"])
    assert "invite_colleague" not in _done(tenant, partner)


def test_incomplete_profile_update_does_not_complete_the_profile_step(tenant, onboarding_partner, make_member, on_commit):
    partner = onboarding_partner["partner"]
    admin = make_member(tenant, "partner_admin", partner=partner)
    with tenant_scope(tenant), on_commit():
        from partners.services.organisations import partner_profile_update

        partner_profile_update(tenant=tenant, partner=partner, actor=admin, data={"description": "Only this."})
    assert "complete_profile" not in _done(tenant, partner)


def test_events_recorded_before_onboarding_started_are_credited(tenant, program, on_commit):
    partner = PartnerFactory(tenant=tenant, status="onboarding", partner_type=program["types"]["msp"])
    path = OnboardingPathFactory(tenant=tenant, partner_type=program["types"]["msp"])
    OnboardingStepFactory(path=path, kind="register_deal", order=1)
    OnboardingStepFactory(path=path, kind="manual", order=2)
    with tenant_scope(tenant):
        record_event(tenant=tenant, kind="deal_registered", partner=partner,
                     obj=FakeObject(DEAL_TYPE, str(uuid.uuid4())))
        onboarding_start(tenant=tenant, partner=partner)
    assert _done(tenant, partner) == {"register_deal"}


def test_default_path_applies_to_types_without_their_own(tenant, program):
    default = OnboardingPathFactory(tenant=tenant, partner_type=None, name="Everyone")
    partner = PartnerFactory(tenant=tenant, status="onboarding", partner_type=program["types"]["referral"])
    with tenant_scope(tenant):
        assert onboarding_start(tenant=tenant, partner=partner).path == default


def test_partner_home_shows_checklist_with_progress(tenant, onboarding_partner, make_member, client_for):
    partner = onboarding_partner["partner"]
    user = make_member(tenant, "partner_admin", partner=partner)
    with scopes_disabled():
        onboarding = PartnerOnboarding.objects.get(partner=partner)
        StepCompletion.objects.create(tenant=tenant, onboarding=onboarding, step=onboarding_partner["steps"]["manual"],
                                      completed_at=timezone.now())
    body = client_for(tenant, user).get("/").content.decode()
    assert 'id="onboarding-checklist"' in body
    assert "1 of 7 steps done" in body and '<progress value="1" max="7"' in body
    assert "Accept the program agreement" in body
    page = client_for(tenant, user).get(reverse("partners:onboarding"))
    assert page.status_code == 200 and "Reseller path" in page.content.decode()


def test_checklist_uses_a_constant_number_of_queries(tenant, onboarding_partner, django_assert_num_queries):
    with tenant_scope(tenant), django_assert_num_queries(3):
        checklist = onboarding_checklist(onboarding_partner["partner"])
    assert checklist["total"] == 7 and checklist["done"] == 0 and checklist["next"]["step"].kind == "accept_agreement"


def test_funnel_counts_started_finished_and_each_step(tenant, program):
    path = OnboardingPathFactory(tenant=tenant, partner_type=program["types"]["reseller"])
    s1 = OnboardingStepFactory(path=path, order=1)
    OnboardingStepFactory(path=path, order=2)
    now = timezone.now()
    with scopes_disabled():
        for i in range(3):
            p = PartnerFactory(tenant=tenant, status="onboarding", partner_type=program["types"]["reseller"])
            o = PartnerOnboarding.objects.create(tenant=tenant, partner=p, path=path, started_at=now,
                                                 last_progress_at=now, completed_at=now if i == 0 else None)
            if i < 2:
                StepCompletion.objects.create(tenant=tenant, onboarding=o, step=s1, completed_at=now)
    with tenant_scope(tenant):
        funnel = onboarding_funnel(tenant)
    entry = next(f for f in funnel if f["path"] == path)
    assert (entry["started"], entry["finished"]) == (3, 1)
    assert [s["completed"] for s in entry["steps"]] == [2, 0]
    assert entry["steps"][0]["percent"] == 67


def test_partners_without_progress_for_longer_than_the_path_allows_are_stuck(tenant, program, members, client_for):
    path = OnboardingPathFactory(tenant=tenant, partner_type=program["types"]["reseller"], stuck_after_days=10)
    OnboardingStepFactory(path=path, order=1, title="Sign the reseller addendum")
    now = timezone.now()
    with scopes_disabled():
        stuck = PartnerFactory(tenant=tenant, name="Slowpoke", status="onboarding", partner_type=path.partner_type)
        fresh = PartnerFactory(tenant=tenant, name="Speedy", status="onboarding", partner_type=path.partner_type)
        PartnerOnboarding.objects.create(tenant=tenant, partner=stuck, path=path, started_at=now - timedelta(days=30),
                                         last_progress_at=now - timedelta(days=11))
        PartnerOnboarding.objects.create(tenant=tenant, partner=fresh, path=path, started_at=now - timedelta(days=30),
                                         last_progress_at=now - timedelta(days=9))
    with tenant_scope(tenant):
        assert [o.partner for o in stuck_onboardings(tenant)] == [stuck]
    body = client_for(tenant, members["executive"]).get(reverse("partners:onboarding_overview")).content.decode()
    assert "Slowpoke" in body and "Sign the reseller addendum" in body and "Speedy" not in body.split("Stuck partners")[1]
    home = client_for(tenant, members["channel_manager"]).get("/").content.decode()
    assert "Stuck in onboarding" in home and "Slowpoke" in home


def test_manager_cannot_tick_a_step_of_another_path(tenant, onboarding_partner, program, members, client_for):
    other_path = OnboardingPathFactory(tenant=tenant, partner_type=program["types"]["msp"])
    foreign_step = OnboardingStepFactory(path=other_path, kind="manual")
    response = client_for(tenant, members["channel_manager"]).post(
        reverse("partners:staff_step_tick", args=[onboarding_partner["partner"].pk]), {"step": str(foreign_step.pk)})
    assert response.status_code == 302
    assert _done(tenant, onboarding_partner["partner"]) == set()


def test_partner_status_change_needs_a_reason_and_reinstating_onboarding_starts_the_path(
    tenant, program, members, client_for
):
    partner = PartnerFactory(tenant=tenant, status="prospect", partner_type=program["types"]["reseller"])
    OnboardingStepFactory(path=OnboardingPathFactory(tenant=tenant, partner_type=program["types"]["reseller"]))
    client = client_for(tenant, members["channel_manager"])
    url = reverse("partners:staff_status", args=[partner.pk])
    client.post(url, {"status": "onboarding", "reason": ""})
    with tenant_scope(tenant):
        assert Partner.objects.get(pk=partner.pk).status == "prospect"
    client.post(url, {"status": "onboarding", "reason": "Signed the contract"})
    with tenant_scope(tenant):
        assert Partner.objects.get(pk=partner.pk).status == "onboarding"
        assert PartnerOnboarding.objects.filter(partner=partner).exists()
    client.post(url, {"status": "prospect", "reason": "Going back"})  # not an allowed transition
    with tenant_scope(tenant):
        assert Partner.objects.get(pk=partner.pk).status == "onboarding"
