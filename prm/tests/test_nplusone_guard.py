"""The N+1 guard itself: a view that touches a relation per row fails the test."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from zeal import errors

from prm.tenancy.models import Membership
from prm.tenancy.scoping import tenant_scope
from tests.factories import MembershipFactory


def _naive_view(request):
    names = [m.user.email for m in Membership.objects.all()]  # one query per membership
    return HttpResponse(", ".join(names))


def _good_view(request):
    names = [m.user.email for m in Membership.objects.select_related("user")]
    return HttpResponse(", ".join(names))


@pytest.mark.django_db
def test_guard_rejects_a_query_per_row_and_accepts_select_related(tenant):
    from zeal.middleware import zeal_middleware

    for _i in range(3):
        MembershipFactory(tenant=tenant)
    request = RequestFactory().get("/")
    with tenant_scope(tenant):
        with pytest.raises(errors.NPlusOneError):
            zeal_middleware(_naive_view)(request)
        assert zeal_middleware(_good_view)(request).status_code == 200


def test_guard_is_installed_for_every_view_test():
    from django.conf import settings

    assert "zeal.middleware.zeal_middleware" in settings.MIDDLEWARE
    assert settings.ZEAL_RAISE is True
