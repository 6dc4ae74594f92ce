"""The back office's delete confirmation (prm.tenancy.admin_site) on content rows."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_back_office_delete_confirmation_counts_what_goes_with_a_row(tenant, partner, members, make_member,
                                                                          client_for):
    """The page names the row and counts its dependants per kind (not one line and query per row)."""
    from tests.factories import CertificationFactory, CourseFactory

    course = CourseFactory(tenant=tenant, title="Fundamentals")
    for _ in range(3):
        CertificationFactory(tenant=tenant, course=course, partner=partner, user=make_member(tenant, "partner_user",
                                                                                            partner=partner))
    body = client_for(tenant, members["tenant_admin"]).get(f"/admin/content/course/{course.pk}/delete/").content.decode()
    assert "Fundamentals" in body and "Certifications: 3" in body  # protected: they block the deletion
