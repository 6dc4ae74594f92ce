from django.urls import path

from prm.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge", views.badge, name="badge"),
    path("read-all", views.mark_all_read, name="mark_all_read"),
    path("<uuid:notification_id>/open", views.open_notification, name="open"),
]
