"""Sign-ins are engagement too: record one per sign-in on a tenant host."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from prm.events.services import record_event


@receiver(user_logged_in)
def record_sign_in(sender, request, user, **kwargs) -> None:
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return
    from prm.tenancy.models import Membership

    membership = Membership.objects.filter(tenant=tenant, user=user, is_active=True).first()
    if membership is not None:
        record_event(tenant=tenant, kind="sign_in", partner=membership.partner, user=user)
