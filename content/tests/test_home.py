"""Navigation and home-page widgets; "new since your last visit"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import LibraryVisit
from prm.tenancy.scoping import tenant_scope
from tests.factories import AssetFactory, CourseFactory, ModuleFactory

pytestmark = pytest.mark.django_db


def test_partners_get_content_and_training_in_the_navigation(tenant, silver_user, manager, client_for):
    partner_nav = [i["label"] for i in client_for(tenant, silver_user).get("/content/").context["portal_nav"]]
    assert "Content" in partner_nav and "Training" in partner_nav
    staff_nav = client_for(tenant, manager).get("/content/manage/").context["portal_nav"]
    assert any(i["label"] == "Content" and i["url"] == "/content/manage/" and i["active"] for i in staff_nav)


def test_new_since_the_last_visit(tenant, silver_user, client_for):
    client = client_for(tenant, silver_user)
    AssetFactory(tenant=tenant, title="Old news", publish_at=timezone.now() - timedelta(days=60))
    client.get("/content/")
    with tenant_scope(tenant):
        # The member's last visit was a day ago.
        LibraryVisit.objects.filter(user=silver_user).update(last_visit_at=timezone.now() - timedelta(days=1))
    AssetFactory(tenant=tenant, title="Fresh deck", publish_at=timezone.now() - timedelta(hours=2))
    home = client.get("/").content.decode()
    assert "1 new item since your last visit" in home and "Fresh deck" in home
    response = client.get("/content/", {"new": "1"})
    assert [a.title for a in response.context["page"].object_list] == ["Fresh deck"]
    assert response.context["new_count"] == 1
    # Browsing again within half an hour keeps the same reference point.
    assert client.get("/content/").context["new_count"] == 1
    # The home page now counts from this visit: nothing new.
    assert "since your last visit" not in client.get("/").content.decode()


def test_the_partner_home_shows_featured_content_and_courses_in_progress(tenant, silver_partner, silver_user, client_for):
    AssetFactory(tenant=tenant, title="Spotlight kit", is_featured=True, publish_at=timezone.now() - timedelta(days=40))
    course = CourseFactory(tenant=tenant, title="Fundamentals")
    first = ModuleFactory(course=course, order=1)
    ModuleFactory(course=course, order=2)
    client = client_for(tenant, silver_user)
    client.post(f"/content/training/{course.pk}/modules/{first.pk}/")
    html = client.get("/").content.decode()
    assert "Spotlight kit" in html
    assert "Courses in progress" in html and "Fundamentals" in html and "1/2" in html


def test_the_partner_widget_stays_hidden_when_there_is_nothing_to_show(tenant, silver_user, client_for):
    assert "Content and training" not in client_for(tenant, silver_user).get("/").content.decode()
