import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from prm.tenancy.models import Membership, Tenant
from tests.factories.base import ScopedFactory

__all__ = ["TenantFactory", "UserFactory", "MembershipFactory", "TEST_PASSWORD", "set_settings"]

TEST_PASSWORD = "correct-horse-battery-9"


class TenantFactory(ScopedFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tenant{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())
    base_currency = "USD"


class UserFactory(ScopedFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class MembershipFactory(ScopedFactory):
    class Meta:
        model = Membership

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = "channel_manager"
    partner = None


def set_settings(tenant, model, **values):
    """Change an app's settings of `tenant` (its TenantSettings row, e.g. DealSettings) and keep
    `tenant` reading the new values: set_settings(tenant, DealSettings, deal_contact_required=False)."""
    row = model.for_tenant(tenant)
    for name, value in values.items():
        setattr(row, name, value)
    with scopes_disabled():
        row.full_clean()
        row.save(update_fields=list(values))
    return row
