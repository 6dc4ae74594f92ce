"""The step-target registry (partners.step_targets): apps above partners register what onboarding
steps may point at; the back office offers exactly the registered objects and checks a choice."""

import uuid

import pytest

from partners.models import Agreement, OnboardingStep
from partners.step_targets import register_step_target, step_targets, target_types, unregister_step_target
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/partners/onboardingpath/add/"


@pytest.fixture
def registry():
    """An empty registry for the test (the installed apps' targets come back afterwards)."""
    saved = step_targets()
    for target in saved:
        unregister_step_target(target.kind)
    yield
    for target in step_targets():
        unregister_step_target(target.kind)
    for target in saved:
        register_step_target(target.kind, target.model, target.choices)


def _post(client, partner_type, **step):
    data = {"name": "Test path", "partner_type": str(partner_type.pk), "stuck_after_days": "14", "description": "",
            "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000", "steps-0-order": "1", "steps-0-title": "Do it", "steps-0-action_url": "",
            "steps-0-target": "", "steps-0-target_type": "", "steps-0-target_id": ""}
    data.update({f"steps-0-{key}": value for key, value in step.items()})
    return client.post(ADD_URL, data)


def test_a_registered_target_is_offered_and_checked_and_unregistered_kinds_point_at_nothing(
        registry, tenant, program, members, client_for):
    client = client_for(tenant, members["tenant_admin"])
    # Nothing registered: nothing to offer, so the target field is hidden.
    assert '<input type="hidden" name="steps-0-target"' in client.get(ADD_URL).content.decode()

    register_step_target(OnboardingStep.Kind.ACCEPT_AGREEMENT, Agreement)
    assert target_types() == {"accept_agreement": "partners.agreement"}
    agreement = AgreementFactory(tenant=tenant, title="Reseller terms")
    page = client.get(ADD_URL).content.decode()
    assert f"partners.agreement:{agreement.pk}" in page and "agreement: Reseller terms" in page
    assert '<input type="hidden" name="steps-0-target"' not in page

    missing = _post(client, program["types"]["msp"], kind="accept_agreement", target_type="partners.agreement",
                    target_id=str(uuid.uuid4()))
    assert missing.status_code == 200 and "No such object in this portal." in missing.content.decode()
    unregistered = _post(client, program["types"]["msp"], kind="complete_course", target_id=str(uuid.uuid4()))
    assert unregistered.status_code == 200
    assert "Only course and asset steps point at an object." in unregistered.content.decode()
    chosen = _post(client, program["types"]["msp"], kind="accept_agreement", target=f"partners.agreement:{agreement.pk}")
    assert chosen.status_code == 302
    from prm.tenancy.scoping import tenant_scope

    with tenant_scope(tenant):
        step = OnboardingStep.objects.get(path__name="Test path")
    assert (step.target_type, step.target_id) == ("partners.agreement", str(agreement.pk))
