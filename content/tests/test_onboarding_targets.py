"""Content's courses and assets as onboarding step targets: content registers them with partners
(partners.step_targets, from ContentConfig.ready()), the back office offers and checks them, and
the content app's events complete the steps that name them."""

import pytest
from django_scopes import scopes_disabled

from content.models import Asset, Course
from partners.models import OnboardingStep, StepCompletion
from partners.services.onboarding import onboarding_start
from partners.step_targets import step_target, target_types
from prm.events.services import record_event
from prm.tenancy.scoping import tenant_scope
from tests.factories import (
    AssetFactory,
    CourseFactory,
    OnboardingPathFactory,
    OnboardingStepFactory,
    PartnerFactory,
    PartnerTypeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(tenant):
    with scopes_disabled():
        return {"types": {"msp": PartnerTypeFactory(tenant=tenant, code="msp", name="Managed service provider")}}


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def _done(tenant, partner) -> set[str]:
    with tenant_scope(tenant):
        return set(StepCompletion.objects.filter(onboarding__partner=partner).values_list("step__kind", flat=True))


def test_content_registers_courses_and_assets_as_the_targets_of_course_and_asset_steps():
    assert step_target(OnboardingStep.Kind.COMPLETE_COURSE).model is Course
    assert step_target(OnboardingStep.Kind.DOWNLOAD_ASSET).model is Asset
    assert target_types() == {"complete_course": "content.course", "download_asset": "content.asset"}


def test_steps_pointing_at_real_content_objects_complete_from_the_content_apps_events(tenant, program, on_commit):
    """The content app records course_completed/content_downloaded with obj=the course/asset: the
    step's generic target (type label + id) must match what record_event stores."""
    course, other_course = CourseFactory(tenant=tenant), CourseFactory(tenant=tenant)
    asset = AssetFactory(tenant=tenant)
    partner = PartnerFactory(tenant=tenant, status="onboarding", partner_type=program["types"]["msp"])
    path = OnboardingPathFactory(tenant=tenant, partner_type=program["types"]["msp"])
    OnboardingStepFactory(path=path, order=1, kind="complete_course", target_type="content.course",
                          target_id=str(course.pk))
    OnboardingStepFactory(path=path, order=2, kind="download_asset", target_type="content.asset",
                          target_id=str(asset.pk))
    with tenant_scope(tenant), on_commit():
        onboarding_start(tenant=tenant, partner=partner)
        record_event(tenant=tenant, kind="course_completed", partner=partner, obj=other_course)
    assert _done(tenant, partner) == set()
    with tenant_scope(tenant), on_commit():
        record_event(tenant=tenant, kind="course_completed", partner=partner, obj=course)
        record_event(tenant=tenant, kind="content_downloaded", partner=partner, obj=asset)
    assert _done(tenant, partner) == {"complete_course", "download_asset"}
    with tenant_scope(tenant):
        partner.refresh_from_db()
    assert partner.status == "active"


def test_admin_offers_courses_and_assets_as_step_targets_and_validates_them(tenant, program, members, client_for):
    course = CourseFactory(tenant=tenant, title="Sales foundations")
    client = client_for(tenant, members["tenant_admin"])
    page = client.get("/admin/partners/onboardingpath/add/").content.decode()
    assert f"content.course:{course.pk}" in page and "Sales foundations" in page
    data = {
        "name": "MSP path", "partner_type": str(program["types"]["msp"].pk), "stuck_after_days": "14",
        "description": "",
        "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000",
        "steps-0-order": "1", "steps-0-kind": "download_asset", "steps-0-title": "Download it",
        "steps-0-target": f"content.course:{course.pk}", "steps-0-target_type": "", "steps-0-target_id": "",
        "steps-0-action_url": "",
    }
    response = client.post("/admin/partners/onboardingpath/add/", data)
    assert response.status_code == 200 and "This kind of step needs a target of type content.asset." in response.content.decode()
    data["steps-0-kind"] = "complete_course"
    response = client.post("/admin/partners/onboardingpath/add/", data)
    assert response.status_code == 302
    with tenant_scope(tenant):
        step = OnboardingStep.objects.get(path__name="MSP path")
    assert (step.target_type, step.target_id) == ("content.course", str(course.pk))
    # Channel managers may look at program configuration but not change it.
    manager = client_for(tenant, members["channel_manager"])
    assert manager.get("/admin/partners/onboardingpath/").status_code == 200
    assert manager.post("/admin/partners/onboardingpath/add/", data).status_code == 403
