from relais.core.commands import DailyCommand
from relais.core.text import count_of
from relais.core.transitions import TransitionNotAllowed
from relais.orientations.models import Orientation


class Command(DailyCommand):
    help = (
        "Libère les places réservées sur une période passée sans arrivée de la personne "
        "(JUS-06) : la réservation est annulée, la demande revient dans la file à orienter. "
        "À lancer chaque jour ; relancée, elle ne refait rien."
    )

    def handle(self, *args, today: str | None = None, **options) -> None:
        day = self.today(today)
        released = 0
        for orientation in Orientation.objects.windows_passed(day).order_by("pk"):
            # Each under its own locks: a reservation taken up meanwhile (arrival recorded)
            # is refused by the transition and left alone.
            reason = (
                f"Période de réservation passée sans arrivée (du "
                f"{orientation.window_starts_on:%d/%m/%Y} au "
                f"{orientation.window_ends_on:%d/%m/%Y}) : la place est libérée et la demande "
                "revient dans la file à orienter."
            )
            try:
                orientation.cancel(by=None, reason=reason)
            except TransitionNotAllowed:
                continue
            released += 1
        self.stdout.write(
            f"Réservations échues au {day:%d/%m/%Y} : "
            f"{count_of(released, 'réservation libérée', 'réservations libérées')}."
        )
