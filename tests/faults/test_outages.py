"""Fault injection: Redis stopped, database gone. The portal degrades, nothing is lost."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client
from django_scopes import scopes_disabled

from prm.accounts.models import Invitation
from prm.notifications.models import EmailOutbox
from prm.notifications.tasks import outbox_sweep


@pytest.mark.django_db(transaction=True)
def test_redis_down_pages_still_serve_and_emails_are_delivered_when_it_is_back(
    tenant, partner, members, client_for, redis_server, celery_on
):
    manager = client_for(tenant, members["channel_manager"])
    assert manager.get("/").status_code == 200  # healthy first

    redis_server.stop()
    # Pages still render (cache misses, no broker needed) …
    assert manager.get("/").status_code == 200
    assert client_for(tenant, members["partner_user"]).get("/").status_code == 200
    health = Client(HTTP_HOST="localhost").get("/healthz")
    assert health.status_code == 503 and health.json()["checks"]["redis"].startswith("error")
    # … and a write that sends an email is saved, its email kept in the outbox.
    response = manager.post("/staff/people/", {"email": "while.down@northwind.example", "role": "partner_user",
                                               "partner": str(partner.pk)})
    assert response.status_code == 200 and b"Invitation sent" in response.content
    with scopes_disabled():
        assert Invitation.objects.filter(email="while.down@northwind.example").exists()
        row = EmailOutbox.objects.get(to="while.down@northwind.example")
    assert row.status == "pending" and mail.outbox == []

    redis_server.start()
    # Beat runs the sweep every minute; once Redis is back it delivers what is pending, once.
    assert outbox_sweep() == 1
    assert [m.to for m in mail.outbox] == [["while.down@northwind.example"]]
    assert outbox_sweep() == 0
    with scopes_disabled():
        row.refresh_from_db()
    assert row.status == "sent"


@pytest.mark.django_db
def test_database_outage_gives_a_clean_branded_503(tenant, members, client_for):
    client = client_for(tenant, members["partner_user"])
    client.raise_request_exception = False
    lost = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(connection, "ensure_connection", side_effect=lost), \
         mock.patch.object(connection, "cursor", side_effect=lost):
        response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Temporarily unavailable" in body and "Traceback" not in body
    assert "<link rel=\"stylesheet\"" in body  # the styled page, not a bare error


@pytest.mark.django_db(transaction=True)
def test_deal_submitted_while_redis_is_down_is_saved_and_its_notification_delivered_later(
    tenant, partner, members, client_for, redis_server, celery_on
):
    from django.urls import reverse

    from deals.models import DealRegistration
    from deals.tests.test_registration import form_post
    from tests.factories import ProductFactory

    product = ProductFactory(tenant=tenant, code="cloud-platform", name="Cloud Platform")
    manager = members["channel_manager"]
    partner.owner = manager
    partner.save()
    redis_server.stop()

    response = client_for(tenant, members["partner_user"]).post(reverse("deals:register"), form_post(product))
    assert response.status_code == 302
    with scopes_disabled():
        deal = DealRegistration.objects.get(partner=partner)
        pending = list(EmailOutbox.objects.filter(to=manager.email, status="pending"))
    assert deal.status == "submitted"
    assert pending and mail.outbox == []
    # The bell works without Redis too.
    assert b"badge" in client_for(tenant, manager).get("/notifications/badge").content

    redis_server.start()
    assert outbox_sweep() >= 1
    assert manager.email in {to for m in mail.outbox for to in m.to}
    with scopes_disabled():
        assert not EmailOutbox.objects.filter(to=manager.email, status="pending").exists()
