from django.urls import path

from prm.accounts import views

app_name = "accounts"

urlpatterns = [
    path("invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("staff/people/", views.people, name="people"),
    path("staff/people/invitations/<uuid:invitation_id>/revoke", views.revoke_invitation, name="revoke_invitation"),
    path("staff/people/<uuid:membership_id>/change", views.change_member, name="change_member"),
    path("team/", views.team, name="team"),
    path("team/<uuid:membership_id>/change", views.team_change_member, name="team_change_member"),
    path("team/invitations/<uuid:invitation_id>/revoke", views.team_revoke_invitation, name="team_revoke_invitation"),
    path("portals/<slug:slug>/open", views.portal_open, name="portal_open"),
    path("portals/hop", views.portal_hop, name="portal_hop"),
    path("portals/hop/confirm", views.portal_hop_confirm, name="portal_hop_confirm"),
    path("portals/hop/finish", views.portal_hop_finish, name="portal_hop_finish"),
]
