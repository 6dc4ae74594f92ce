"""Training writes: module progress, quiz attempts, certifications and their expiry."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from content.models import Certification, Course, Module, ModuleCompletion, QuizAttempt
from content.selectors.training import course_status
from prm.audit.services import audit_log
from prm.events.services import record_event
from prm.notifications.services import notify
from prm.tenancy.models import Membership
from prm.tenancy.resolution import tenant_url

REMINDER_WINDOW = timedelta(days=30)


class QuizClosed(Exception):
    """The member may not take the quiz now; the message says why."""


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months (31 January + 1 month = 28/29 February)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def module_complete(*, tenant, module: Module, membership, user) -> ModuleCompletion:
    """Mark a module done for the member (idempotent). A course without a quiz completes with its last module."""
    if not membership.is_partner:
        raise QuizClosed(_("Only partner members take courses."))
    completion, _created = ModuleCompletion.objects.get_or_create(
        tenant=tenant, module=module, user=user, defaults={"partner": membership.partner},
    )
    course = module.course
    status = course_status(course, user)
    if status.modules_done == status.module_count and status.question_count == 0 and not status.has_valid_certification:
        certification_award(tenant=tenant, course=course, user=user, partner=membership.partner)
    return completion


def quiz_submit(*, tenant, course: Course, membership, user, answers: dict[str, str]) -> QuizAttempt:
    """Score an attempt; passing awards the certification. Raises QuizClosed when not allowed."""
    if not membership.is_partner:
        raise QuizClosed(_("Only partner members take courses."))
    with transaction.atomic():
        # One attempt at a time per person, so two quick submits cannot exceed the limit.
        Membership.objects.select_for_update().filter(pk=membership.pk).first()
        status = course_status(course, user)
        if status.question_count == 0:
            raise QuizClosed(_("This course has no quiz."))
        if status.modules_done < status.module_count:
            raise QuizClosed(_("Complete every module before taking the quiz."))
        if status.has_valid_certification and not status.renewable:
            raise QuizClosed(_("You already hold this certification."))
        if status.attempts_left <= 0:
            raise QuizClosed(_("You have used all %(n)d attempts. Ask your channel manager to reset them.") % {"n": course.max_attempts})
        questions = list(course.questions.prefetch_related("choices"))
        correct = 0
        recorded = {}
        for question in questions:
            chosen = str(answers.get(str(question.pk), ""))
            right = {str(c.pk) for c in question.choices.all() if c.is_correct}
            recorded[str(question.pk)] = chosen
            if chosen and chosen in right:
                correct += 1
        score = round(100 * correct / len(questions))
        passed = score >= course.passing_score
        attempt = QuizAttempt.objects.create(
            tenant=tenant, course=course, user=user, partner=membership.partner, score=score, passed=passed,
            answers=recorded,
        )
        if passed:
            certification_award(tenant=tenant, course=course, user=user, partner=membership.partner, score=score)
    return attempt


def certification_award(*, tenant, course: Course, user, partner, score: int | None = None,
                        now: datetime | None = None) -> Certification:
    """Complete the course and issue the certification (a renewal ends the previous one)."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Certification.objects.filter(course=course, user=user, status=Certification.Status.ACTIVE)
        # The old certificate stops counting from now on (kept as history).
        current.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).update(
            status=Certification.Status.EXPIRED, expires_at=now
        )
        current.update(status=Certification.Status.EXPIRED)
        certification = Certification.objects.create(
            tenant=tenant, course=course, user=user, partner=partner, issued_at=now, score=score,
            expires_at=add_months(now, course.validity_months) if course.validity_months else None,
        )
        audit_log(tenant=tenant, actor=user, action="content.certification.award", obj=certification,
                  changes={"course": course.title, "expires": certification.expires_at.isoformat() if certification.expires_at else None})
        record_event(tenant=tenant, kind="course_completed", partner=partner, user=user, obj=course)
        record_event(tenant=tenant, kind="certification_earned", partner=partner, user=user, obj=certification)
        notify(tenant=tenant, users=[user], email=False,
               title=_("You earned the certification “%(name)s”") % {"name": course.certificate_title},
               url=reverse("content:certificate", args=[certification.pk]))
    return certification


def certification_revoke(*, tenant, certification: Certification, actor=None, request=None) -> Certification:
    if certification.status == Certification.Status.REVOKED:
        return certification
    certification.status = Certification.Status.REVOKED
    certification.save(update_fields=["status"])
    audit_log(tenant=tenant, actor=actor, action="content.certification.revoke", obj=certification, request=request)
    return certification


def certifications_expire_and_remind(*, tenant, now: datetime | None = None) -> dict[str, int]:
    """Daily job body: mark expired certifications and remind holders 30 days ahead (idempotent).

    Set-based: one update for the expired ones, one for the reminded ones; one notification
    (in-app and email) per person, listing all their certifications concerned.
    """
    now = now or timezone.now()
    with transaction.atomic():
        expiring = list(
            Certification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Certification.Status.ACTIVE, reminded_at__isnull=True,
                    expires_at__gt=now, expires_at__lte=now + REMINDER_WINDOW)
            .select_related("course", "user")
        )
        expired = list(
            Certification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Certification.Status.ACTIVE, expires_at__lte=now)
            .select_related("course", "user")
        )
        Certification.objects.filter(pk__in=[c.pk for c in expired]).update(status=Certification.Status.EXPIRED)
        Certification.objects.filter(pk__in=[c.pk for c in expiring]).update(reminded_at=now)
        training_url = tenant_url(tenant, reverse("content:training"))
        for user, certs in _by_user(expiring).items():
            lines = [
                _("%(name)s expires on %(date)s.") % {"name": c.course.certificate_title,
                                                       "date": formats.date_format(c.expires_at, "DATE_FORMAT")}
                for c in certs
            ]
            notify(tenant=tenant, users=[user], url=training_url,
                   title=ngettext("Your certification expires within 30 days", "Your certifications expire within 30 days", len(certs)),
                   body="\n".join(lines + [_("Retake the course to renew it.")]))
        for user, certs in _by_user(expired).items():
            notify(tenant=tenant, users=[user], url=training_url,
                   title=ngettext("Your certification has expired", "Your certifications have expired", len(certs)),
                   body="\n".join([c.course.certificate_title for c in certs] + [_("Retake the course to renew it.")]))
    return {"expired": len(expired), "reminded": len(expiring)}


def _by_user(certs: list[Certification]) -> dict:
    grouped: dict = defaultdict(list)
    for cert in certs:
        grouped[cert.user].append(cert)
    return grouped


def course_save(*, tenant, course: Course, partner_types=None, actor=None, request=None) -> Course:
    """Create or update a course and its partner-type audience rule."""
    from content.models import CoursePartnerType

    creating = course._state.adding
    course.tenant = tenant
    types = list(partner_types) if partner_types is not None else None
    for obj in [course.min_tier, *(types or [])]:
        if obj is not None and obj.tenant_id != tenant.pk:
            raise ValidationError(_("Unknown partner type or tier."))
    with transaction.atomic():
        course.full_clean()
        course.save()
        if types is not None:
            wanted = {t.pk for t in types}
            CoursePartnerType.objects.filter(course=course).exclude(partner_type_id__in=wanted).delete()
            existing = set(CoursePartnerType.objects.filter(course=course).values_list("partner_type_id", flat=True))
            CoursePartnerType.objects.bulk_create(
                [CoursePartnerType(tenant=tenant, course=course, partner_type_id=pk) for pk in wanted - existing]
            )
        audit_log(tenant=tenant, actor=actor, action="content.course.create" if creating else "content.course.update",
                  obj=course, request=request)
    return course
