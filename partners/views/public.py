"""Public recruitment pages on the tenant host (no login)."""

from __future__ import annotations

from allauth.core.ratelimit import consume
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partners.forms import ApplicationForm, ApplicationResponseForm
from partners.services.recruitment import (
    DuplicateApplication,
    application_for_token,
    application_respond,
    application_submit,
)
from partners.views import bound
from prm.forms import add_service_errors


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    if tenant is None:
        raise Http404
    form = ApplicationForm(*bound(request), tenant=tenant)
    if request.method == "POST":
        if form.is_spam:
            # A bot filled the honeypot: answer like a success, store nothing (but count it).
            consume(request, action="partner_application")
            return render(request, "partners/apply_done.html", {"duplicate": False})
        # Only complete submissions count against the per-address limit, so a person fixing
        # typos is not locked out.
        if form.is_valid() and not consume(request, action="partner_application"):
            form.add_error(None, _("Too many applications from your network. Please try again later."))
            return render(request, "partners/apply.html", {"form": form}, status=429)
        if form.is_valid():
            try:
                application_submit(tenant=tenant, data=form.cleaned_data, request=request)
            except DuplicateApplication as exc:
                return render(request, "partners/apply_done.html", {"duplicate": True, "message": exc.messages[0]})
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return render(request, "partners/apply_done.html",
                              {"duplicate": False, "email": form.cleaned_data["contact_email"]})
        status = 400
    else:
        status = 200
    return render(request, "partners/apply.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The applicant answers a channel manager's question through the emailed link."""
    tenant = request.tenant
    if tenant is None:
        raise Http404
    if request.method == "POST" and not consume(request, action="partner_application"):
        return render(request, "partners/apply_respond.html",
                      {"invalid": _("Too many attempts. Please try again later.")}, status=429)
    application = application_for_token(tenant=tenant, token=token)
    if application is None:
        return render(request, "partners/apply_respond.html", {
            "invalid": _("This link is not valid any more: the question was already answered or the application was decided."),
        }, status=410)
    form = ApplicationResponseForm(*bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            application_respond(tenant=tenant, token=token, answer=form.cleaned_data["answer"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "partners/apply_respond.html", {"done": True, "application": application})
    return render(request, "partners/apply_respond.html", {"form": form, "application": application},
                  status=400 if form.errors else 200)
