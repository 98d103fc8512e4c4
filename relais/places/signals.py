"""What the places app tells the apps that wait for places, without knowing them."""

from django.dispatch import Signal

# Places of a capacity may have become free: `capacity`, and `cause`, in French ("fin de
# séjour", "capacité augmentée"…). Sent inside the transaction that freed them, once the
# change is written, so a receiver counts the vacancies as they now are.
places_freed = Signal()
