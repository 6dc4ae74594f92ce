"""Training reads: progress through a course, quiz state, certifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from content.models import Certification, Course, ModuleCompletion, QuizAttempt

RENEWAL_WINDOW = timedelta(days=30)


@dataclass
class CourseStatus:
    module_count: int
    modules_done: int
    question_count: int
    attempts_used: int
    attempts_left: int
    certification: Certification | None  # the latest one, whatever its state
    done_module_ids: set

    @property
    def has_valid_certification(self) -> bool:
        cert = self.certification
        now = timezone.now()
        return bool(cert and cert.status == Certification.Status.ACTIVE
                    and (cert.expires_at is None or cert.expires_at > now))

    @property
    def renewable(self) -> bool:
        """A valid certification can be renewed in its last 30 days."""
        cert = self.certification
        return bool(cert and cert.expires_at and cert.expires_at - timezone.now() <= RENEWAL_WINDOW)

    @property
    def percent(self) -> int:
        steps = self.module_count + (1 if self.question_count else 0)
        done = self.modules_done + (1 if self.has_valid_certification and self.question_count else 0)
        return round(100 * done / steps) if steps else 0

    @property
    def quiz_open(self) -> bool:
        return (self.question_count > 0 and self.modules_done >= self.module_count and self.attempts_left > 0
                and (not self.has_valid_certification or self.renewable))


def course_status(course: Course, user) -> CourseStatus:
    """Where `user` stands in `course` (a handful of queries, independent of course size)."""
    done_ids = set(ModuleCompletion.objects.filter(module__course=course, user=user).values_list("module_id", flat=True))
    counts = Course.objects.filter(pk=course.pk).aggregate(
        modules=Count("modules", distinct=True), questions=Count("questions", distinct=True)
    )
    cert = Certification.objects.filter(course=course, user=user).order_by("-issued_at").first()
    attempts = QuizAttempt.objects.filter(course=course, user=user)
    if cert is not None:
        attempts = attempts.filter(created_at__gt=cert.issued_at)  # a renewal starts a fresh count
    used = attempts.count()
    return CourseStatus(
        module_count=counts["modules"], modules_done=len(done_ids), question_count=counts["questions"],
        attempts_used=used, attempts_left=max(course.max_attempts - used, 0), certification=cert,
        done_module_ids=done_ids,
    )


def courses_with_progress(courses: QuerySet[Course], user) -> QuerySet[Course]:
    """Annotate module counts, the user's completed modules and whether they hold a valid certification."""
    now = timezone.now()
    valid = Certification.objects.filter(course=OuterRef("pk"), user=user).valid_on(now)
    return courses.annotate(
        module_count=Count("modules", distinct=True),
        done_count=Count("modules__completions", filter=Q(modules__completions__user=user), distinct=True),
        certified=Exists(valid),
    )


def certifications_of(user) -> QuerySet[Certification]:
    return Certification.objects.filter(user=user).select_related("course").order_by("-issued_at")


def partner_certifications(partner, limit: int = 20) -> list[dict]:
    """A partner organisation's certifications, newest first, for its profile pages (one query)."""
    rows = (Certification.objects.filter(partner=partner).select_related("course", "user")
            .order_by("-issued_at")[:limit])
    return [{"name": c.course.title, "user": c.user, "when": c.issued_at, "expires": c.expires_at,
             "status": c.get_status_display()} for c in rows]
