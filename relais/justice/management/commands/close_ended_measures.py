import datetime as dt

from relais.audit import log as audit
from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.core.commands import DailyCommand
from relais.core.text import count_of
from relais.justice.enums import DetentionState
from relais.justice.models import Detention


def access_closed_reason(detention: Detention) -> str:
    return (
        f"Mesure judiciaire terminée le {detention.measure_ends_on:%d/%m/%Y} : le "
        f"{detention.spip} n'a plus accès aux dossiers de la personne (droit à l'oubli)."
    )


def close_ended_measures(today: dt.date) -> list[Detention]:
    """JUS-13: the access of the SPIP closed by itself the day after the measure ended (the
    scopes read the dates); the audit says so, once per detention, naming the person."""
    ended = Detention.objects.filter(measure_ends_on__lt=today).exclude(
        state=DetentionState.IN_DETENTION
    )
    logged = set(
        AuditEvent.objects.filter(action=Action.ACCESS_CLOSED, object_type="detention").values_list(
            "object_id", flat=True
        )
    )
    closed = []
    for detention in ended.select_related("spip").exclude(pk__in=[int(i) for i in logged]):
        audit.record(
            request_or_user=None,
            action=Action.ACCESS_CLOSED,
            obj=detention,
            reason=access_closed_reason(detention),
            detail={"spip": detention.spip_id, "measure_ends_on": detention.measure_ends_on},
        )
        closed.append(detention)
    return closed


class Command(DailyCommand):
    help = (
        "Inscrit au journal d'audit la fin d'accès du SPIP pour chaque mesure judiciaire "
        "terminée (JUS-13). Sans effet si on le relance."
    )

    def handle(self, *args, today: str | None = None, **options) -> None:
        day = self.today(today)
        closed = close_ended_measures(day)
        self.stdout.write(
            f"{count_of(len(closed), 'accès', 'accès')} du SPIP clos au journal d'audit."
        )
