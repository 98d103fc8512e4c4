from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone

from relais.iae.models import Parcours
from relais.orientations.models import Orientation
from relais.requests.models import Request

from .models import Notification


def still_readable(user) -> Q:
    """A notice about a file the reader no longer sees (an access withdrawn, a judicial
    measure ended: JUS-13) is no longer shown: it names the person."""
    return (
        Q(request__isnull=True, orientation__isnull=True, parcours__isnull=True)
        | Q(request__in=Request.objects.visible_to(user))
        | Q(orientation__in=Orientation.objects.visible_to(user))
        | Q(parcours__in=Parcours.objects.visible_to(user))
    )


def notification_list(request):
    """Each user's own notices; nobody reads another's."""
    # The message names the request's person: loading them logs the read (relais.audit.reads).
    notices = Notification.objects.filter(recipient=request.user).filter(
        still_readable(request.user)
    )
    notices = notices.select_related("request__person")
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
