"""The deal history and the audit log read as sentences, not Python data; look-alikes are named."""

import pytest
from django.urls import reverse

from tests.factories import HouseAccountFactory

pytestmark = pytest.mark.django_db


def test_the_history_names_look_alikes_instead_of_printing_their_ids(tenant, partner, rival, approve, register,
                                                                     members, client_for):
    first = approve(register(rival, customer_name="Umbrella Corp", website="https://umbrella.co.uk",
                             contact_email="x@umbrella.co.uk"))
    HouseAccountFactory(tenant=tenant, name="Umbrella Direct", domain="umbrella.co.uk")
    second = register(partner, customer_name="Umbrella Corporation Ltd", website="https://shop.umbrella.co.uk",
                      contact_email="y@umbrella.co.uk")
    body = client_for(tenant, members["tenant_admin"]).get(reverse("deals:detail", args=[second.pk])).content.decode()
    history = body[body.index('id="history"'):]
    assert "Look-alike" in history and "Umbrella Corp (" in history and "house account Umbrella Direct" in history
    assert "{'candidates'" not in body and "&#x27;candidates&#x27;" not in body
    assert "Raw record" in history  # the raw record stays one click away for staff
    # The registration's own details read as labels and values.
    assert "Customer" in history and "Umbrella Corporation Ltd" in history
    assert str(first.pk) in history  # inside the raw record only


def test_the_audit_log_shows_changes_as_labels_and_values(tenant, members, client_for):
    from prm.tenancy.models import Membership
    from prm.tenancy.scoping import tenant_scope

    client = client_for(tenant, members["tenant_admin"])
    with tenant_scope(tenant):
        executive = Membership.objects.get(user=members["executive"])
    client.post(f"/staff/people/{executive.pk}/change", {"action": "role", "role": "channel_manager"})
    body = client.get("/staff/audit/").content.decode()
    assert "<dt>Change</dt><dd>executive → channel manager</dd>" in body
    assert "{&#x27;from&#x27;" not in body
