"""The daily certification job (expiry reminders, expired marking) and the tier metric provider."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from content.models import Certification
from content.tasks import certifications_daily
from partners import metrics
from prm.notifications.models import Notification
from prm.tenancy.scoping import scopes_disabled, tenant_scope
from tests.factories import CertificationFactory, CourseFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def _cert(course, user, partner, *, expires_in_days, **kwargs):
    now = timezone.now()
    return CertificationFactory(course=course, user=user, partner=partner, issued_at=now - timedelta(days=300),
                                expires_at=now + timedelta(days=expires_in_days), **kwargs)


def test_the_daily_job_reminds_holders_30_days_ahead_and_marks_expired_ones(
    tenant, other_tenant, silver_partner, silver_user, gold_partner, gold_user, django_capture_on_commit_callbacks
):
    course = CourseFactory(tenant=tenant, title="Fundamentals")
    advanced = CourseFactory(tenant=tenant, title="Advanced")
    soon = _cert(course, silver_user, silver_partner, expires_in_days=20)
    soon_too = _cert(advanced, silver_user, silver_partner, expires_in_days=29)
    later = _cert(course, gold_user, gold_partner, expires_in_days=45)
    just_outside = _cert(CourseFactory(tenant=tenant, title="Specialist"), gold_user, gold_partner, expires_in_days=31)
    gone = _cert(advanced, gold_user, gold_partner, expires_in_days=-1)
    # Another tenant's certificate is processed by its own tenant's job, independently.
    foreign_partner = PartnerFactory(tenant=other_tenant)
    foreign = _cert(CourseFactory(tenant=other_tenant), silver_user, foreign_partner, expires_in_days=-2)

    with django_capture_on_commit_callbacks(execute=True):
        assert certifications_daily.delay().get() == 2  # one job per active tenant

    with scopes_disabled():
        states = {c.pk: (c.status, c.reminded_at is not None) for c in Certification.objects.all()}
    assert states[soon.pk] == ("active", True)
    assert states[soon_too.pk] == ("active", True)
    assert states[later.pk] == ("active", False)
    assert states[just_outside.pk] == ("active", False)  # 31 days: not yet
    assert states[gone.pk][0] == "expired"
    assert states[foreign.pk][0] == "expired"

    reminders = [m for m in mail.outbox if "expire within 30 days" in m.subject]
    assert len(reminders) == 1  # one email per person, listing both certifications
    assert reminders[0].to == [silver_user.email]  # nobody else: 31 and 45 days are outside the window
    assert "Fundamentals" in reminders[0].body and "Advanced" in reminders[0].body
    expired_mail = [m for m in mail.outbox if "has expired" in m.subject]
    assert {tuple(m.to) for m in expired_mail} == {(gold_user.email,), (silver_user.email,)}

    # Idempotent: a second run sends nothing new.
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        certifications_daily.delay()
    assert len(mail.outbox) == sent
    with tenant_scope(tenant):
        assert Notification.objects.filter(user=silver_user).count() == 1


def test_expired_and_revoked_certifications_do_not_count_toward_tiers(
    tenant, silver_partner, silver_user, gold_partner, gold_user
):
    course = CourseFactory(tenant=tenant)
    other = CourseFactory(tenant=tenant)
    _cert(course, silver_user, silver_partner, expires_in_days=100)
    _cert(other, silver_user, silver_partner, expires_in_days=-3, status="expired")
    _cert(course, gold_user, gold_partner, expires_in_days=100, status="revoked")
    _cert(other, gold_user, gold_partner, expires_in_days=5)
    today = timezone.localdate()
    with tenant_scope(tenant):  # tier evaluation calls the providers inside the tenant's scope
        values = metrics.partner_metrics(tenant, [silver_partner.pk, gold_partner.pk], today)
        assert values[metrics.ACTIVE_CERTIFICATIONS] == {silver_partner.pk: 1, gold_partner.pk: 1}
        # As of a past date, the certificate that has expired since still counted.
        past = metrics.partner_metrics(tenant, [silver_partner.pk], today - timedelta(days=10))
        assert past[metrics.ACTIVE_CERTIFICATIONS] == {silver_partner.pk: 2}
        # String ids are answered with the same keys.
        by_text = metrics.partner_metrics(tenant, [str(gold_partner.pk)], today)
        assert by_text[metrics.ACTIVE_CERTIFICATIONS] == {str(gold_partner.pk): 1}


def test_the_metric_provider_is_one_query_for_many_partners(tenant, silver_user, django_assert_num_queries):
    from content.metrics import active_certifications

    partners = [PartnerFactory(tenant=tenant) for _ in range(5)]
    for n, partner in enumerate(partners[:3]):
        for _ in range(n + 1):
            _cert(CourseFactory(tenant=tenant), silver_user, partner, expires_in_days=50)
    with django_assert_num_queries(1):
        result = active_certifications(tenant, [p.pk for p in partners], timezone.localdate())
    assert result == {partners[0].pk: 1, partners[1].pk: 2, partners[2].pk: 3, partners[3].pk: 0, partners[4].pk: 0}


def test_certifications_recorded_by_the_content_app_show_the_course_without_partners_importing_it(
    tenant, partner, members, client_for
):
    from prm.events.services import record_event

    user = members["partner_user"]
    for title in ("Cloud Architect", "Security Specialist"):
        certification = CertificationFactory(course=CourseFactory(tenant=tenant, title=title), user=user, partner=partner)
        with tenant_scope(tenant):
            record_event(tenant=tenant, kind="certification_earned", partner=partner, user=user, obj=certification)
    body = client_for(tenant, members["partner_admin"]).get("/partners/profile/").content.decode()
    assert "Cloud Architect" in body and "Security Specialist" in body and "expires" in body
