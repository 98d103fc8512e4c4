"""Error pages that Django does not route through the handlers (templates/400…500.html)."""

from django.http import HttpRequest, HttpResponse
from django.template import loader

CSRF_REFUSED = (
    "Le formulaire a expiré ou a été envoyé depuis une autre page : rien n'a été enregistré. "
    "Rechargez la page, puis saisissez et envoyez de nouveau."
)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check: the French 403 page, not Django's English one."""
    template = loader.get_template("403.html")
    return HttpResponse(template.render({"exception": CSRF_REFUSED}, request), status=403)
