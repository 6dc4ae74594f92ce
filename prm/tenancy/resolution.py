"""Which tenant a host name belongs to, and the URL of a tenant's portal."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from prm.tenancy.models import Tenant, TenantDomain


def split_host(host: str) -> str:
    """The host name without port, lower-cased (IPv6 literals are left alone)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host
    return host.rsplit(":", 1)[0] if ":" in host else host


def is_base_domain(hostname: str) -> bool:
    return hostname == settings.PRM_BASE_DOMAIN


def resolve_tenant(hostname: str) -> Tenant | None:
    """The active tenant served on `hostname`, or None (which the middleware turns into 404)."""
    suffix = "." + settings.PRM_BASE_DOMAIN
    if hostname.endswith(suffix):
        slug = hostname[: -len(suffix)]
        if slug and "." not in slug:
            return Tenant.objects.filter(slug=slug, is_active=True).first()
        return None
    domain = TenantDomain.objects.select_related("tenant").filter(domain=hostname, tenant__is_active=True).first()
    return domain.tenant if domain else None


def _port_suffix(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    port = request.get_port()
    return "" if port in ("80", "443", "", None) else f":{port}"


def _scheme(request: HttpRequest | None) -> str:
    return (request.scheme if request is not None else None) or settings.PRM_SCHEME


def tenant_host(tenant: Tenant) -> str:
    primary = next((d.domain for d in tenant.domains.all() if d.is_primary), None)
    return primary or f"{tenant.slug}.{settings.PRM_BASE_DOMAIN}"


def tenant_url(tenant: Tenant, path: str = "/", request: HttpRequest | None = None) -> str:
    """Absolute URL of `path` on the tenant's portal (keeps the dev server's port)."""
    return f"{_scheme(request)}://{tenant_host(tenant)}{_port_suffix(request)}{path}"


def base_url(path: str = "/", request: HttpRequest | None = None) -> str:
    return f"{_scheme(request)}://{settings.PRM_BASE_DOMAIN}{_port_suffix(request)}{path}"
