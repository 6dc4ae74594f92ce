import pytest
from django_scopes import ScopeError

from prm.tenancy.models import Membership
from prm.tenancy.scoping import current_tenant, scopes_disabled, tenant_scope
from tests.factories import MembershipFactory, PartnerFactory


@pytest.mark.django_db
def test_query_on_tenant_owned_model_without_scope_raises(tenant):
    membership = MembershipFactory(tenant=tenant)
    with pytest.raises(ScopeError):
        list(Membership.objects.all())
    with pytest.raises(ScopeError):
        Membership.objects.filter(role="x").count()
    with pytest.raises(ScopeError):
        Membership.objects.get(pk=membership.pk)


@pytest.mark.django_db
def test_scope_limits_queries_to_its_tenant(tenant, other_tenant):
    mine = MembershipFactory(tenant=tenant)
    theirs = MembershipFactory(tenant=other_tenant)
    with tenant_scope(tenant):
        assert current_tenant() == tenant
        assert list(Membership.objects.all()) == [mine]
        assert not Membership.objects.filter(pk=theirs.pk).exists()
    with scopes_disabled():
        assert Membership.objects.count() == 2


def test_tenant_scope_refuses_none():
    # django-scopes reads a None scope as "no filter"; ours must fail closed instead.
    with pytest.raises(ScopeError):
        with tenant_scope(None):
            pass


@pytest.mark.django_db
def test_linking_rows_of_different_tenants_is_refused(tenant, other_tenant):
    foreign_type = PartnerFactory(tenant=other_tenant).partner_type
    with pytest.raises(ValueError, match="another tenant"):
        PartnerFactory(tenant=tenant, partner_type=foreign_type)
