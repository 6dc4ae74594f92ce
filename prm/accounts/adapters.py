from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: people join a tenant through an invitation (see accounts.services)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix, email, context):
        tenant = getattr(context.get("request"), "tenant", None) if context.get("request") else None
        context.setdefault("tenant", tenant)
        return super().send_mail(template_prefix, email, context)
