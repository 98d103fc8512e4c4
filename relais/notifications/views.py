from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from .models import Notification


def notification_list(request):
    """Each user's own notices; nobody reads another's."""
    # The message names the request's person: loading them logs the read (relais.audit.reads).
    notices = Notification.objects.filter(recipient=request.user).select_related("request__person")
    if request.method == "POST":
        notices.filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, "Toutes les notifications sont marquées comme lues.")
        return redirect("notifications:list")
    return render(
        request,
        "notifications/notification_list.html",
        {
            "notifications": notices[:100],
            "unread": notices.filter(read_at__isnull=True).count(),
        },
    )
