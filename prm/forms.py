"""Glue between services and forms, the same in every app.

The rule for a service's ValidationError (`add_service_errors`):
- an error that names a field of the form goes on that field;
- every other error (the whole action refused, or a field this form does not show) becomes a
  non-field error at the top of the form — or, when the caller passes `request` because the page
  it answers with shows the form without its top (a decision panel on a detail page), a page message.

A form submission with errors answers INVALID_FORM_STATUS (400) with the form re-rendered; htmx
is configured in base.html to swap 400 responses, so inline errors appear in place.

    try:
        deal_approve(tenant=request.tenant, deal=deal, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
    ...
    return render(request, "deals/detail.html", context, status=form_status(form))
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError

INVALID_FORM_STATUS = 400


def add_service_errors(form: forms.BaseForm, exc: ValidationError, *, request=None) -> None:
    """Put a service's ValidationError on `form` (see the module's rule)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            else:
                _elsewhere(form, errors, request)
    else:
        _elsewhere(form, exc.messages, request)


def _elsewhere(form, errors: list[str], request) -> None:
    if request is None:
        form.add_error(None, errors)
    else:
        for error in errors:
            messages.error(request, error)


def form_status(*bound_forms) -> int:
    """INVALID_FORM_STATUS if any of the forms has errors, else 200."""
    return INVALID_FORM_STATUS if any(f is not None and f.errors for f in bound_forms) else 200
