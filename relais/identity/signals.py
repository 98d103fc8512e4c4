from .models import refresh_identity


def person_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    """Keys follow every save of a Person, whichever screen or command made it."""
    if not raw:
        refresh_identity(instance)
