"""The fit score of an application against the ideal partner profile, with its reasons."""

import pytest
from django_scopes import scopes_disabled

from partners.models import PartnerApplication
from partners.services.fit import Applicant, fit_score, reason_text, tenant_profile
from partners.services.recruitment import score_application
from prm.tenancy.scoping import tenant_scope
from tests.factories import CriterionFactory, IdealPartnerProfileFactory, PartnerTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(tenant):
    with scopes_disabled():
        msp = PartnerTypeFactory(tenant=tenant, code="msp", name="MSP")
        profile = IdealPartnerProfileFactory(tenant=tenant, base_score=50)
        CriterionFactory(profile=profile, kind="region", region="EMEA", points_match=20, points_miss=0, order=1)
        CriterionFactory(profile=profile, kind="specialty", region="", specialty="security", points_match=15,
                         points_miss=10, order=2)
        CriterionFactory(profile=profile, kind="company_size", region="", min_employees=20, max_employees=500,
                         points_match=10, points_miss=5, order=3)
        CriterionFactory(profile=profile, kind="partner_type", region="", partner_type=msp, points_match=10,
                         points_miss=0, order=4)
        CriterionFactory(profile=profile, kind="revenue_band", region="", revenue_band="10m-50m", points_match=5,
                         points_miss=0, order=5)
    return {"profile": profile, "msp": msp}


def _score(tenant, **applicant):
    with tenant_scope(tenant):
        prof, criteria = tenant_profile(tenant)
        return fit_score(Applicant(**applicant), profile=prof, criteria=criteria)


def test_emea_applicant_without_security_specialty_scores_with_reasons(tenant, profile):
    score, reasons = _score(tenant, regions=["EMEA", "NA"], specialties=["cloud"], employees=120,
                            partner_type_id=None, revenue_band="1m-10m")
    # 50 base + 20 (EMEA) − 10 (no security) + 10 (20–500 employees) = 70
    assert score == 70
    lines = [(reason_text(r), r["points"]) for r in reasons]
    assert lines == [
        ("Serves Europe, Middle East and Africa", 20),
        ("No security specialty", -10),
        ("20–500 employees", 10),
    ]


def test_perfect_applicant_is_capped_at_100_and_lists_every_match(tenant, profile):
    score, reasons = _score(tenant, regions=["EMEA"], specialties=["Security"], employees=20,
                            partner_type_id=profile["msp"].pk, revenue_band="10m-50m")
    assert score == 100  # 50 + 20 + 15 + 10 + 10 + 5 = 110, clamped
    assert {r["kind"] for r in reasons} == {"region", "specialty", "company_size", "partner_type", "revenue_band"}
    assert all(r["matched"] for r in reasons)


def test_poor_fit_cannot_go_below_zero(tenant, profile):
    with scopes_disabled():
        CriterionFactory(profile=profile["profile"], kind="region", region="APAC", points_match=5, points_miss=60)
    score, reasons = _score(tenant, regions=["LATAM"], specialties=[], employees=3, partner_type_id=None,
                            revenue_band="lt1m")
    assert score == 0
    assert ("Company size outside 20–500 employees", -5) in [(reason_text(r), r["points"]) for r in reasons]


def test_without_a_profile_every_application_gets_the_neutral_score(tenant):
    score, reasons = _score(tenant, regions=["EMEA"], specialties=[], employees=10, partner_type_id=None,
                            revenue_band="lt1m")
    assert (score, reasons) == (50, [])


def test_score_application_stores_score_and_reasons_on_the_application(tenant, profile):
    application = PartnerApplication(tenant=tenant, regions=["EMEA"], specialties=["security"], employees=1000,
                                     revenue_band="gt250m")
    with tenant_scope(tenant):
        score_application(tenant, application)
    assert application.fit_score == 50 + 20 + 15 - 5
    assert [line["shown"] for line in application.fit_reason_lines] == ["50", "+20", "+15", "−5"]  # from the base
