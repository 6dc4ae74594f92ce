"""Resolve the tenant from the host and keep every query of the request inside its scope."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.tenancy.models import Membership
from prm.tenancy.request import PortalRequest
from prm.tenancy.resolution import is_base_domain, resolve_tenant, split_host
from prm.tenancy.scoping import tenant_scope
from prm.tenancy.sessions import is_bound_to
from prm.tenancy.viewer import Viewer
from prm.tenancy.views import render_error


class TenantMiddleware:
    """First middleware: an unknown host gets 404 before anything else runs.

    The response is produced (TemplateResponses rendered) inside the tenant scope, so lazy
    template queries are scoped too. The bare base domain serves the platform pages with no
    tenant scope, so any tenant-owned query there raises.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: PortalRequest) -> HttpResponse:
        hostname = split_host(request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", ""))
        request.tenant = None
        request.membership = None
        request.viewer = None  # prm.tenancy.viewer.Viewer, set by MembershipMiddleware for a member
        if is_base_domain(hostname):
            return self.get_response(request)
        tenant = resolve_tenant(hostname)
        if tenant is None:
            return render_error(request, 404)
        request.tenant = tenant
        with tenant_scope(tenant):
            response = self.get_response(request)
            if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
                response.render()
        return response


class SessionHostMiddleware:
    """After AuthenticationMiddleware: a session signed in on another host counts as signed out.

    The request gets a fresh, empty session (the other host's session itself is left alone), so
    the response replaces the borrowed cookie. See prm/tenancy/sessions.py.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: PortalRequest) -> HttpResponse:
        if request.user.is_authenticated and not is_bound_to(request.session, request.tenant):
            from django.contrib.auth.models import AnonymousUser

            engine = import_module(settings.SESSION_ENGINE)
            request.session = engine.SessionStore()
            request.user = AnonymousUser()
        return self.get_response(request)


class PrivateResponseMiddleware:
    """Headers for every response: no shared cache keeps what a signed-in person was shown, and
    the browser denies features the portal never uses.

    A response that declared itself public (the tenant's logo and stylesheet: branding) keeps its
    own Cache-Control; every other response to a signed-in person is `private, no-store`.
    """

    PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation",
        "gyroscope", "hid", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking", "browsing-topics",
    ))

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "public" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "private, no-store"
        return response


# Paths a staff member without MFA may still use while the tenant requires MFA.
_MFA_SETUP_ALLOWED = ("/accounts/", "/static/", "/healthz", "/i18n/")


class MembershipMiddleware:
    """Attach the user's membership in the host's tenant and enforce the tenant's MFA rule."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: PortalRequest) -> HttpResponse:
        tenant = request.tenant
        user = request.user
        if tenant is not None and user.is_authenticated:
            # The partner's tier and type come along: nearly every partner page needs them
            # (content audience, deal registration rules, tier status), one join instead of queries.
            membership = (
                Membership.objects.select_related("partner__tier", "partner__partner_type")
                .filter(user=user, is_active=True)
                .first()
            )
            request.membership = membership
            if membership is not None:
                membership.tenant = tenant  # the same row: no lazy load when code follows the key
                if membership.partner is not None:
                    membership.partner.tenant = tenant
                request.viewer = Viewer(tenant=tenant, membership=membership, user=user)
                self._touch(membership)
                if self._mfa_required(tenant, membership, request):
                    messages.warning(request, _("%(tenant)s requires two-factor authentication for staff. Set it up to continue.") % {"tenant": tenant.name})
                    return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _touch(membership: Membership) -> None:
        # At most one write per membership every 5 minutes.
        now = timezone.now()
        if membership.last_seen_at is None or (now - membership.last_seen_at).total_seconds() > 300:
            Membership.objects.filter(pk=membership.pk).update(last_seen_at=now)
            membership.last_seen_at = now

    @staticmethod
    def _mfa_required(tenant, membership: Membership, request: HttpRequest) -> bool:
        if not (tenant.require_mfa_for_staff and membership.is_staff_role):
            return False
        if request.path.startswith(_MFA_SETUP_ALLOWED):
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
