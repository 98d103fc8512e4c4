from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from relais.accounts.enums import Role

from . import log
from .enums import Action
from .forms import AuditSearchForm
from .models import AUDIT_READERS, AuditEvent

PAGE_SIZE = 50


def audit_search(request):
    """SEC-01: who did what on which file, for the SIAO and the territory administrator."""
    user = request.user
    if not (user.is_superuser or user.role in AUDIT_READERS):
        raise PermissionDenied(
            "Le journal d'audit est réservé au SIAO et à l'administrateur du territoire."
        )
    form = AuditSearchForm(request.GET or None)
    events = AuditEvent.objects.visible_to(user)
    filters = {}
    if form.is_bound and form.is_valid():
        events = form.filter(events)
        filters = {name: value for name, value in form.cleaned_data.items() if value}
    # Reading the log reveals who worked on whom: it is itself logged (before the query, so
    # the page's count and rows agree).
    log.record(
        request_or_user=request,
        action=Action.SEARCH,
        detail={"page": "audit", "filters": filters, "page_number": request.GET.get("page", "1")},
    )
    page = Paginator(events.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/search.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            # The territory administrator reads no file (SIAO-20): who and when, not the values.
            "shows_values": user.is_superuser or user.role == Role.SIAO_OPERATOR,
        },
    )
