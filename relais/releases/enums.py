from django.db import models

# The follow-up checks after release (JUS-05), in months after the release day.
FOLLOW_UP_MONTHS = (1, 3, 6)


class FollowUpMonths(models.IntegerChoices):
    ONE = 1, "1 mois après la sortie"
    THREE = 3, "3 mois après la sortie"
    SIX = 6, "6 mois après la sortie"


class FollowUpOutcome(models.TextChoices):
    """Where the person stands at a follow-up check (JUS-05)."""

    STILL_HOUSED = "still_housed", "Toujours hébergée ou logée au même endroit"
    MOVED_ON = "moved_on", "Partie vers une autre solution"
    BACK_AT_115 = "back_at_115", "De retour au 115 (sans solution)"
    NO_NEWS = "no_news", "Sans nouvelles"
