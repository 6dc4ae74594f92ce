"""Training: courses, modules, the quiz and certificates."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from content.forms import QuizForm
from content.models import Certification, Module
from content.selectors import assets_visible_to, course_for, courses_visible_to
from content.selectors.training import certifications_of, course_status, courses_with_progress
from content.services import QuizClosed, module_complete, quiz_submit
from prm.tenancy.access import member_required, partner_required
from prm.tenancy.roles import Role


@member_required
@require_GET
def training(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    courses = courses_with_progress(courses_visible_to(request.viewer), request.user).order_by("title")
    certifications = certifications_of(request.user) if membership.is_partner else []
    return render(request, "content/training/list.html", {"courses": courses, "certifications": certifications})


@member_required
@require_GET
def course_detail(request: HttpRequest, course_id) -> HttpResponse:
    course = course_for(request.viewer, course_id)
    modules = list(course.modules.select_related("asset").order_by("order"))
    status = course_status(course, request.user)
    return render(request, "content/training/course.html", {"course": course, "modules": modules, "status": status})


@member_required
@require_http_methods(["GET", "POST"])
def module_detail(request: HttpRequest, course_id, module_id) -> HttpResponse:
    membership = request.membership
    course = course_for(request.viewer, course_id)
    module = get_object_or_404(Module.objects.select_related("asset"), pk=module_id, course=course)
    if request.method == "POST":
        if not membership.is_partner:
            return redirect("content:module", course_id=course.pk, module_id=module.pk)
        try:
            module_complete(tenant=request.tenant, module=module, membership=membership, user=request.user)
        except QuizClosed as exc:
            messages.error(request, str(exc))
            return redirect("content:course", course_id=course.pk)
        following = course.modules.filter(order__gt=module.order).order_by("order").first()
        if following is not None:
            return redirect("content:module", course_id=course.pk, module_id=following.pk)
        return redirect("content:course", course_id=course.pk)
    # The module's library asset is only linked if the member may open it.
    asset = None
    if module.asset_id:
        asset = assets_visible_to(request.viewer).filter(pk=module.asset_id).first() if membership.is_partner else module.asset
    status = course_status(course, request.user)
    return render(request, "content/training/module.html", {
        "course": course, "module": module, "asset": asset, "done": module.pk in status.done_module_ids,
        "status": status,
    })


@partner_required
@require_http_methods(["GET", "POST"])
def quiz(request: HttpRequest, course_id) -> HttpResponse:
    membership = request.membership
    course = course_for(request.viewer, course_id)
    questions = list(course.questions.prefetch_related("choices").order_by("order"))
    status = course_status(course, request.user)
    form = QuizForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = quiz_submit(tenant=request.tenant, course=course, membership=membership, user=request.user,
                                  answers=form.cleaned_data)
        except QuizClosed as exc:
            messages.error(request, str(exc))
            return redirect("content:course", course_id=course.pk)
        status = course_status(course, request.user)
        if attempt.passed:
            messages.success(request, _("You passed with %(score)d%%. Your certification is ready.") % {"score": attempt.score})
            return redirect("content:certificate", certification_id=status.certification.pk)
        return render(request, "content/training/quiz_result.html", {"course": course, "attempt": attempt, "status": status})
    return render(request, "content/training/quiz.html", {"course": course, "form": form, "status": status},
                  status=400 if form.errors else 200)


@member_required
@require_GET
def certificate(request: HttpRequest, certification_id) -> HttpResponse:
    """A printable certificate: its holder, their organisation's partner admins, and staff."""
    membership = request.membership
    # Staff: the partners they may see (a confined manager: their book); partners: see below.
    cert = request.viewer.get(Certification.objects.select_related("course", "user", "partner"), certification_id)
    if membership.is_partner:
        own = cert.user_id == request.user.pk
        colleague_admin = membership.role == Role.PARTNER_ADMIN and cert.partner_id == membership.partner_id
        if not (own or colleague_admin):
            raise Http404
    return render(request, "content/training/certificate.html", {"cert": cert})
