"""Invitations, people management, and moving between portals."""

from __future__ import annotations

from allauth.core.ratelimit import consume
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prm.accounts import hop
from prm.accounts.forms import AcceptInvitationForm, InvitationForm, RoleForm
from prm.accounts.models import Invitation
from prm.accounts.selectors import tenant_members
from prm.accounts.services import (
    InvitationError,
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_revoke,
    membership_deactivate,
    membership_set_role,
)
from prm.tenancy.access import manager_required, partner_admin_required
from prm.tenancy.models import Membership, Tenant
from prm.tenancy.resolution import tenant_url
from prm.tenancy.scoping import scopes_disabled
from prm.tenancy.views import render_error

_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _form_errors_to_messages(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Invitation acceptance (public, on the tenant host) ---------------------------------


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token: str):
    if request.tenant is None:
        raise Http404
    if request.method == "POST" and not consume(request, action="accept_invitation"):
        return render(request, "accounts/invitation_invalid.html",
                      {"reason": _("Too many attempts. Wait a minute and try again.")}, status=429)
    try:
        invitation = invitation_check(tenant=request.tenant, token=token)
    except InvitationError as exc:
        return render(request, "accounts/invitation_invalid.html", {"reason": str(exc)}, status=410)

    User = get_user_model()
    user = request.user if request.user.is_authenticated else None
    existing = user is None and User.objects.filter(email__iexact=invitation.email).exists()
    form = None
    if user is None and not existing:
        form = AcceptInvitationForm(request.POST or None, email=invitation.email)

    if request.method == "POST":
        try:
            if user is not None:
                invitation_accept(tenant=request.tenant, token=token, user=user, request=request)
            elif form is not None and form.is_valid():
                user, _membership = invitation_accept(
                    tenant=request.tenant, token=token, full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"], request=request,
                )
                login(request, user, backend=_BACKEND)
            else:
                user = None
        except InvitationError as exc:
            return render(request, "accounts/invitation_invalid.html", {"reason": str(exc)}, status=410)
        if user is not None:
            messages.success(request, _("Welcome to %(tenant)s!") % {"tenant": request.tenant.name})
            return redirect("portal_home")

    return render(request, "accounts/accept_invitation.html", {
        "invitation": invitation, "form": form, "existing_account": existing,
        "wrong_user": user is not None and user.email.lower() != invitation.email.lower(),
        "login_url": f"{reverse('account_login')}?next={request.path}",
    })


# --- People (staff) -------------------------------------------------------------------


def _partner_queryset(tenant):
    from django.apps import apps

    Partner = apps.get_model(*_partner_label().split("."))
    return Partner.objects.filter(tenant=tenant).order_by("name")


def _partner_label() -> str:
    from django.conf import settings

    return settings.PRM_PARTNER_MODEL


@manager_required
@require_http_methods(["GET", "POST"])
def people(request):
    """Members and invitations of the tenant; invite form swapped in place with htmx."""
    tenant = request.tenant
    form = InvitationForm(request.POST or None, partner_queryset=_partner_queryset(tenant))
    invite_url = None
    if request.method == "POST" and form.is_valid():
        try:
            _invitation, invite_url = invitation_create(
                tenant=tenant, email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                partner=form.cleaned_data.get("partner"), invited_by=request.user, request=request,
            )
        except ValidationError as exc:
            _form_errors_to_messages(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            form = InvitationForm(partner_queryset=_partner_queryset(tenant))
    context = {
        "form": form,
        "invite_url": invite_url,
        "members": tenant_members(tenant),
        "invitations": Invitation.objects.pending().select_related("partner", "invited_by"),
        "role_forms": True,
    }
    if request.htmx and request.method == "POST":
        return render(request, "accounts/people.html#invite-panel", context)
    return render(request, "accounts/people.html", context)


@manager_required
@require_POST
def revoke_invitation(request, invitation_id):
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    try:
        invitation_revoke(tenant=request.tenant, invitation=invitation, actor=request.user, request=request)
        messages.success(request, _("Invitation withdrawn."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:people")


def _change_member(request, membership, *, redirect_to: str):
    action = request.POST.get("action")
    try:
        if action == "deactivate":
            membership_deactivate(tenant=request.tenant, membership=membership, actor=request.user, request=request)
            messages.success(request, _("%(user)s can no longer sign in to this portal.") % {"user": membership.user})
        elif action == "role":
            form = RoleForm(request.POST, partner_roles=membership.is_partner)
            if not form.is_valid():
                messages.error(request, _("Choose a valid role."))
            else:
                membership_set_role(tenant=request.tenant, membership=membership, role=form.cleaned_data["role"],
                                    actor=request.user, request=request)
                messages.success(request, _("Role updated."))
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(redirect_to)


@manager_required
@require_POST
def change_member(request, membership_id):
    membership = get_object_or_404(Membership, pk=membership_id)
    if membership.is_tenant_admin and not request.membership.is_tenant_admin:
        return render_error(request, 403, reason="role")
    return _change_member(request, membership, redirect_to="accounts:people")


# --- Partner admins: their own organisation's colleagues ------------------------------


@partner_admin_required
@require_http_methods(["GET", "POST"])
def team(request):
    partner = request.membership.partner
    form = InvitationForm(request.POST or None, partner_admin=True)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                tenant=request.tenant, email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                partner=partner, invited_by=request.user, request=request,
            )
        except ValidationError as exc:
            _form_errors_to_messages(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("accounts:team")
    return render(request, "accounts/team.html", {
        "form": form,
        "partner": partner,
        "members": tenant_members(request.tenant, partner=partner),
        "invitations": Invitation.objects.pending().filter(partner=partner),
    })


@partner_admin_required
@require_POST
def team_change_member(request, membership_id):
    # Only colleagues of the same organisation: anyone else is "not found".
    membership = get_object_or_404(Membership, pk=membership_id, partner=request.membership.partner)
    return _change_member(request, membership, redirect_to="accounts:team")


@partner_admin_required
@require_POST
def team_revoke_invitation(request, invitation_id):
    invitation = get_object_or_404(Invitation, pk=invitation_id, partner=request.membership.partner)
    try:
        invitation_revoke(tenant=request.tenant, invitation=invitation, actor=request.user, request=request)
        messages.success(request, _("Invitation withdrawn."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:team")


# --- Moving between portals -----------------------------------------------------------


@login_required
@require_GET
def portal_open(request, slug: str):
    """Send the signed-in user to another portal they belong to (no second login)."""
    with scopes_disabled():
        membership = (
            Membership.objects.select_related("tenant")
            .filter(user=request.user, tenant__slug=slug, is_active=True, tenant__is_active=True)
            .first()
        )
    if membership is None:
        raise Http404
    token = hop.make_token(user=request.user, tenant=membership.tenant)
    target = tenant_url(membership.tenant, f"{reverse('accounts:portal_hop')}?token={token}", request)
    return HttpResponseRedirect(target)


@require_GET
def portal_hop(request):
    tenant: Tenant | None = request.tenant
    if tenant is None:
        raise Http404
    if not consume(request, action="portal_hop"):
        return render_error(request, 403, reason="rate")
    user_id = hop.read_token(request.GET.get("token", ""), tenant=tenant)
    User = get_user_model()
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None or not Membership.objects.filter(user=user, is_active=True).exists():
        messages.error(request, _("That link has expired. Please sign in."))
        return redirect("account_login")
    if request.user != user:
        login(request, user, backend=_BACKEND)  # rotates the session key
    return redirect("portal_home")
