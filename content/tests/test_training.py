"""Training: modules, quiz pass and fail, attempt limit, certifications and their pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import Certification, ModuleCompletion, QuizAttempt
from content.services import QuizClosed, quiz_submit
from content.services.training import add_months
from prm.events.models import EngagementEvent
from prm.tenancy.models import Membership
from prm.tenancy.scoping import tenant_scope
from tests.factories import ChoiceFactory, CourseFactory, ModuleFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(tenant):
    course = CourseFactory(tenant=tenant, title="Fundamentals", passing_score=60, max_attempts=2, validity_months=12)
    for order in (1, 2):
        ModuleFactory(course=course, order=order, title=f"Module {order}")
    for order in (1, 2, 3):
        question = QuestionFactory(course=course, order=order, text=f"Q{order}?")
        ChoiceFactory(question=question, text="right", is_correct=True)
        ChoiceFactory(question=question, text="wrong")
    return course


def _answers(course, correct: int) -> dict:
    """Form data answering the first `correct` questions right and the rest wrong."""
    data = {}
    with tenant_scope(course.tenant):
        for i, question in enumerate(course.questions.order_by("order")):
            wanted = i < correct
            choice = question.choices.get(is_correct=wanted)
            data[str(question.pk)] = str(choice.pk)
    return data


def _complete_modules(client, course):
    with tenant_scope(course.tenant):
        modules = list(course.modules.order_by("order"))
    for module in modules:
        assert client.post(f"/content/training/{course.pk}/modules/{module.pk}/").status_code == 302


def _events(tenant, kind):
    with tenant_scope(tenant):
        return list(EngagementEvent.objects.filter(kind=kind))


def test_the_quiz_opens_only_after_every_module(tenant, course, silver_user, client_for):
    client = client_for(tenant, silver_user)
    response = client.get(f"/content/training/{course.pk}/quiz/")
    assert "Complete every module of the course first." in response.content.decode()
    response = client.post(f"/content/training/{course.pk}/quiz/", _answers(course, 3))
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert not QuizAttempt.objects.exists()
    _complete_modules(client, course)
    with tenant_scope(tenant):
        assert ModuleCompletion.objects.filter(user=silver_user).count() == 2
    assert client.get(f"/content/training/{course.pk}/quiz/").context["status"].quiz_open


def test_passing_the_quiz_awards_a_certification_that_expires(tenant, course, silver_partner, silver_user, client_for):
    client = client_for(tenant, silver_user)
    _complete_modules(client, course)
    before = timezone.now()
    response = client.post(f"/content/training/{course.pk}/quiz/", _answers(course, 2))  # 67% ≥ 60%
    with tenant_scope(tenant):
        attempt = QuizAttempt.objects.get()
        cert = Certification.objects.get()
    assert (attempt.score, attempt.passed) == (67, True)
    assert response.status_code == 302 and response["Location"] == f"/content/training/certifications/{cert.pk}/"
    assert (cert.user, cert.partner, cert.course, cert.status) == (silver_user, silver_partner, course, "active")
    assert before <= cert.issued_at <= timezone.now()
    assert cert.expires_at == add_months(cert.issued_at, 12)
    completed, earned = _events(tenant, "course_completed"), _events(tenant, "certification_earned")
    assert len(completed) == 1 and completed[0].object_type == "content.course" and completed[0].object_id == str(course.pk)
    assert len(earned) == 1 and earned[0].object_id == str(cert.pk) and earned[0].partner_id == silver_partner.pk
    page = client.get(f"/content/training/certifications/{cert.pk}/")
    assert page.status_code == 200
    assert "Fundamentals" in page.content.decode() and cert.code in page.content.decode()


def test_failing_the_quiz_records_the_attempt_and_awards_nothing(tenant, course, silver_user, client_for):
    client = client_for(tenant, silver_user)
    _complete_modules(client, course)
    response = client.post(f"/content/training/{course.pk}/quiz/", _answers(course, 1))  # 33%
    assert response.status_code == 200
    assert "You scored 33%; 60% is needed to pass." in response.content.decode()
    assert response.context["status"].attempts_left == 1
    with tenant_scope(tenant):
        assert QuizAttempt.objects.get().passed is False
        assert not Certification.objects.exists()
    assert _events(tenant, "course_completed") == []


def test_the_attempt_limit_closes_the_quiz(tenant, course, silver_user, client_for):
    client = client_for(tenant, silver_user)
    _complete_modules(client, course)
    for _ in range(2):
        client.post(f"/content/training/{course.pk}/quiz/", _answers(course, 0))
    response = client.post(f"/content/training/{course.pk}/quiz/", _answers(course, 3), follow=True)
    assert "You have used all 2 attempts" in response.content.decode()
    with tenant_scope(tenant):
        assert QuizAttempt.objects.count() == 2
        assert not Certification.objects.exists()
        membership = Membership.objects.select_related("partner").get(user=silver_user)
        with pytest.raises(QuizClosed):
            quiz_submit(tenant=tenant, course=course, membership=membership, user=silver_user, answers=_answers(course, 3))


def test_unanswered_questions_are_a_form_error_not_an_attempt(tenant, course, silver_user, client_for):
    client = client_for(tenant, silver_user)
    _complete_modules(client, course)
    answers = _answers(course, 3)
    answers.pop(next(iter(answers)))
    response = client.post(f"/content/training/{course.pk}/quiz/", answers)
    assert response.status_code == 400
    assert "Choose an answer." in response.content.decode()
    with tenant_scope(tenant):
        assert not QuizAttempt.objects.exists()


def test_an_answer_from_another_question_scores_nothing(tenant, course, silver_user):
    with tenant_scope(tenant):
        questions = list(course.questions.order_by("order"))
        right_of_first = str(questions[0].choices.get(is_correct=True).pk)
        membership = Membership.objects.select_related("partner").get(user=silver_user)
        for module in course.modules.all():
            ModuleCompletion.objects.create(tenant=tenant, module=module, user=silver_user, partner=membership.partner)
        attempt = quiz_submit(tenant=tenant, course=course, membership=membership, user=silver_user,
                              answers={str(q.pk): right_of_first for q in questions})
    assert attempt.score == 33


def test_a_held_certification_can_be_renewed_in_its_last_30_days(tenant, course, silver_partner, silver_user, client_for):
    client = client_for(tenant, silver_user)
    _complete_modules(client, course)
    client.post(f"/content/training/{course.pk}/quiz/", _answers(course, 3))
    with tenant_scope(tenant):
        first = Certification.objects.get()
    assert not client.get(f"/content/training/{course.pk}/quiz/").context["status"].quiz_open
    with tenant_scope(tenant):
        Certification.objects.filter(pk=first.pk).update(expires_at=timezone.now() + timedelta(days=10))
    assert client.get(f"/content/training/{course.pk}/quiz/").context["status"].quiz_open
    client.post(f"/content/training/{course.pk}/quiz/", _answers(course, 3))
    with tenant_scope(tenant):
        first.refresh_from_db()
        renewed = Certification.objects.get(status="active")
    assert first.status == "expired" and first.expires_at <= renewed.issued_at
    assert renewed.pk != first.pk


def test_a_course_without_a_quiz_completes_with_its_last_module(tenant, silver_user, client_for):
    course = CourseFactory(tenant=tenant, title="Read-only course", validity_months=0)
    ModuleFactory(course=course, order=1)
    _complete_modules(client_for(tenant, silver_user), course)
    with tenant_scope(tenant):
        cert = Certification.objects.get()
    assert cert.expires_at is None and cert.score is None
    assert len(_events(tenant, "course_completed")) == 1


def test_a_course_above_the_partners_tier_is_a_404(tenant, tiers, silver_user, client_for):
    course = CourseFactory(tenant=tenant, title="Gold masterclass", min_tier=tiers[3])
    module = ModuleFactory(course=course, order=1)
    client = client_for(tenant, silver_user)
    assert "Gold masterclass" not in client.get("/content/training/").content.decode()
    for url in (f"/content/training/{course.pk}/", f"/content/training/{course.pk}/modules/{module.pk}/",
                f"/content/training/{course.pk}/quiz/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/content/training/{course.pk}/modules/{module.pk}/").status_code == 404


def test_a_module_of_another_course_is_a_404(tenant, course, silver_user, client_for):
    other = ModuleFactory(course=CourseFactory(tenant=tenant), order=1)
    assert client_for(tenant, silver_user).get(f"/content/training/{course.pk}/modules/{other.pk}/").status_code == 404


def test_who_may_see_a_certificate(tenant, course, silver_partner, silver_user, gold_user, make_member, manager, client_for):
    from tests.factories import CertificationFactory

    cert = CertificationFactory(course=course, user=silver_user, partner=silver_partner)
    url = f"/content/training/certifications/{cert.pk}/"
    colleague = make_member(tenant, "partner_user", partner=silver_partner)
    org_admin = make_member(tenant, "partner_admin", partner=silver_partner)
    assert client_for(tenant, silver_user).get(url).status_code == 200
    assert client_for(tenant, org_admin).get(url).status_code == 200
    assert client_for(tenant, manager).get(url).status_code == 200
    assert client_for(tenant, colleague).get(url).status_code == 404
    assert client_for(tenant, gold_user).get(url).status_code == 404


def test_staff_can_preview_a_course_but_not_take_it(tenant, course, manager, client_for):
    client = client_for(tenant, manager)
    assert client.get(f"/content/training/{course.pk}/").status_code == 200
    assert client.get(f"/content/training/{course.pk}/quiz/").status_code == 403
    with tenant_scope(tenant):
        module = course.modules.first()
    client.post(f"/content/training/{course.pk}/modules/{module.pk}/")
    with tenant_scope(tenant):
        assert not ModuleCompletion.objects.exists()


def test_add_months_clamps_to_the_end_of_the_month():
    from datetime import datetime

    assert add_months(datetime(2025, 1, 31, 9, 0), 1) == datetime(2025, 2, 28, 9, 0)
    assert add_months(datetime(2024, 1, 31), 1) == datetime(2024, 2, 29)
    assert add_months(datetime(2025, 11, 15), 14) == datetime(2027, 1, 15)
