from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from prm.notifications.models import Notification
from prm.notifications.services import notification_mark_read
from prm.tenancy.access import member_required


@member_required
@require_GET
def inbox(request):
    qs = Notification.objects.filter(user=request.user)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@member_required
@require_GET
def badge(request):
    """The bell's unread count, polled by htmx."""
    unread = Notification.objects.unread().filter(user=request.user).count()
    return render(request, "notifications/_badge.html", {"unread": unread})


@member_required
@require_POST
def open_notification(request, notification_id):
    note = get_object_or_404(Notification, pk=notification_id, user=request.user)
    notification_mark_read(user=request.user, notification=note)
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("notifications:inbox")


@member_required
@require_POST
def mark_all_read(request):
    notification_mark_read(user=request.user)
    return redirect("notifications:inbox")
