"""Invitations, people management, and moving between portals."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

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
from prm.accounts.forms import AcceptInvitationForm, InvitationForm
from prm.accounts.models import Invitation
from prm.accounts.policy import RoleChangeRefused, may_change, role_choices
from prm.accounts.selectors import tenant_members
from prm.accounts.services import (
    InvitationError,
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_revoke,
    membership_deactivate,
    membership_set_role,
    membership_update,
)
from prm.forms import add_service_errors
from prm.tenancy.access import manager_required, partner_admin_required
from prm.tenancy.models import Membership, Tenant
from prm.tenancy.resolution import tenant_url
from prm.tenancy.scoping import scopes_disabled
from prm.tenancy.views import render_error

_BACKEND = "django.contrib.auth.backends.ModelBackend"


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


def _partner_queryset(viewer):
    """The organisations the inviter may invite into (the swappable partner model: the core names
    no feature app)."""
    from django.apps import apps
    from django.conf import settings

    Partner = apps.get_model(settings.PRM_PARTNER_MODEL)
    return viewer.scope(Partner.objects.all(), field=None).order_by("name")


@manager_required
@require_http_methods(["GET", "POST"])
def people(request):
    """Members and invitations of the tenant; invite form swapped in place with htmx."""
    tenant = request.tenant
    roles = role_choices(request.membership)
    form = InvitationForm(request.POST or None, partner_queryset=_partner_queryset(request.viewer), roles=roles)
    invite_url = None
    if request.method == "POST" and form.is_valid():
        try:
            _invitation, invite_url = invitation_create(
                tenant=tenant, email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                partner=form.cleaned_data.get("partner"), invited_by=request.user, request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            form = InvitationForm(partner_queryset=_partner_queryset(request.viewer), roles=roles)
    context = {
        "form": form,
        "invite_url": invite_url,
        "members": _with_role_choices(request.membership, tenant_members(request.viewer)),
        "invitations": request.viewer.scope(Invitation.objects.pending(), unowned=True).select_related(
            "partner", "invited_by"),
        "role_forms": True,
    }
    status = 400 if form.errors else 200
    if request.htmx and request.method == "POST":
        return render(request, "accounts/people.html#invite-panel", context, status=status)
    return render(request, "accounts/people.html", context, status=status)


@manager_required
@require_POST
def revoke_invitation(request, invitation_id):
    invitation = request.viewer.get(Invitation.objects.all(), invitation_id, unowned=True)
    try:
        invitation_revoke(tenant=request.tenant, invitation=invitation, actor=request.user, request=request)
        messages.success(request, _("Invitation withdrawn."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:people")


def _with_role_choices(actor, members):
    """Members, each with the roles the actor may give them (empty: no change offered)."""
    members = list(members)
    for m in members:
        m.role_choices = role_choices(actor, partner_side=m.is_partner) if may_change(actor, m) else []
    return members


def _change_member(request, membership, *, redirect_to: str):
    """Deactivate, reactivate or give another role; a change the policy refuses is a 403 with why."""
    action = request.POST.get("action")
    try:
        if action == "deactivate":
            membership_deactivate(tenant=request.tenant, membership=membership, actor=request.user, request=request)
            messages.success(request, _("%(user)s can no longer sign in to this portal.") % {"user": membership.user})
        elif action == "reactivate":
            membership_update(tenant=request.tenant, membership=membership, actor=request.user, is_active=True,
                              request=request)
            messages.success(request, _("%(user)s can sign in to this portal again.") % {"user": membership.user})
        elif action == "role":
            # The policy refuses unknown roles and partner/staff crossings with its reason.
            membership_set_role(tenant=request.tenant, membership=membership, role=request.POST.get("role", ""),
                                actor=request.user, request=request)
            messages.success(request, _("Role updated."))
        else:
            messages.error(request, _("Unknown action."))
    except RoleChangeRefused as exc:
        return render_error(request, 403, reason="refused", message=exc.message)
    return redirect(redirect_to)


@manager_required
@require_POST
def change_member(request, membership_id):
    membership = get_object_or_404(tenant_members(request.viewer), pk=membership_id)
    return _change_member(request, membership, redirect_to="accounts:people")


# --- Partner admins: their own organisation's colleagues ------------------------------


@partner_admin_required
@require_http_methods(["GET", "POST"])
def team(request):
    partner = request.membership.partner
    roles = role_choices(request.membership, partner_side=True)
    form = InvitationForm(request.POST or None, partner_admin=True, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                tenant=request.tenant, email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                partner=partner, invited_by=request.user, request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("accounts:team")
    return render(request, "accounts/team.html", status=400 if form.errors else 200, context={
        "form": form,
        "partner": partner,
        "members": _with_role_choices(request.membership, tenant_members(request.viewer)),
        "invitations": Invitation.objects.pending().filter(partner=partner),
    })


@partner_admin_required
@require_POST
def team_change_member(request, membership_id):
    # Only colleagues of the same organisation: anyone else is "not found".
    membership = get_object_or_404(tenant_members(request.viewer), pk=membership_id)
    return _change_member(request, membership, redirect_to="accounts:team")


@partner_admin_required
@require_POST
def team_revoke_invitation(request, invitation_id):
    invitation = request.viewer.get(Invitation.objects.all(), invitation_id)
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
    """Send the signed-in user to another portal they belong to (no second login; see hop.py)."""
    with scopes_disabled():
        membership = (
            Membership.objects.select_related("tenant")
            .filter(user=request.user, tenant__slug=slug, is_active=True, tenant__is_active=True)
            .first()
        )
    if membership is None:
        raise Http404
    token = hop.make_token(user=request.user, tenant=membership.tenant, session=request.session,
                           confirm_url=request.build_absolute_uri(reverse("accounts:portal_hop_confirm")))
    target = tenant_url(membership.tenant, f"{reverse('accounts:portal_hop')}?{urlencode({'token': token})}", request)
    return HttpResponseRedirect(target)


def _hop_expired(request):
    messages.error(request, _("That link has expired or was opened in another browser. Please sign in."))
    return redirect("account_login")


@require_GET
def portal_hop(request):
    """Step 2, on the target portal: remember this browser, ask the origin to confirm the session."""
    if request.tenant is None:
        raise Http404
    if not consume(request, action="portal_hop"):
        return render_error(request, 403, reason="rate")
    data = hop.read_token(request.GET.get("token", ""))
    if data is None or data.get("t") != request.tenant.pk:
        return _hop_expired(request)
    if request.user.is_authenticated and request.user.pk == data.get("u"):
        return redirect("portal_home")  # already signed in here as that person
    browser_nonce = secrets.token_urlsafe(16)
    request.session[hop.SESSION_KEY] = browser_nonce
    query = urlencode({"token": request.GET["token"], "b": browser_nonce})
    return HttpResponseRedirect(f"{data['o']}?{query}")


@login_required
@require_GET
def portal_hop_confirm(request):
    """Step 3a, on the origin: only the session that asked for the token confirms it."""
    data = hop.read_token(request.GET.get("token", ""))
    browser_nonce = request.GET.get("b", "")
    if (data is None or not browser_nonce or data.get("u") != request.user.pk
            or not secrets.compare_digest(data.get("s", ""), hop.session_digest(request.session))):
        messages.error(request, _("That portal link was not made for this browser session. Open the portal from here."))
        return redirect("portal_home")
    with scopes_disabled():
        tenant = Tenant.objects.filter(pk=data["t"], is_active=True).first()
    if tenant is None:
        raise Http404
    grant = hop.make_grant(data, browser_nonce)
    return HttpResponseRedirect(tenant_url(tenant, f"{reverse('accounts:portal_hop_finish')}?{urlencode({'grant': grant})}",
                                           request))


@require_GET
def portal_hop_finish(request):
    """Step 3b, on the target portal: sign in once, in the browser that started the hop."""
    tenant: Tenant | None = request.tenant
    if tenant is None:
        raise Http404
    if not consume(request, action="portal_hop"):
        return render_error(request, 403, reason="rate")
    user_id = hop.read_grant(request.GET.get("grant", ""), tenant=tenant, session=request.session)
    User = get_user_model()
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None or not Membership.objects.filter(user=user, is_active=True).exists():
        return _hop_expired(request)
    if request.user != user:
        login(request, user, backend=_BACKEND)  # rotates the session key
    return redirect("portal_home")
