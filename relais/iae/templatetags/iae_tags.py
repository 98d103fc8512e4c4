"""Who may do what on a parcours, for the templates: `{% if parcours|can_write_siae_part:user %}`."""

from django import template

from relais.iae.enums import SkillLevel

register = template.Library()


@register.filter
def can_write_siae_part(parcours, user) -> bool:
    """Hours, trainings, skills, the exit synthesis: the SIAE's staff within consent."""
    return bool(user and user.is_authenticated and parcours.writes_siae_part(user))


@register.filter
def reads_exit(parcours, user) -> bool:
    """The exit synthesis is between the SPIP and the SIAE (the handover log's readers)."""
    return bool(user and user.is_authenticated and parcours.reads_log(user))


@register.filter
def is_spip(parcours, user) -> bool:
    return bool(user and user.is_authenticated and parcours.is_spip(user))


@register.filter
def level_label(level) -> str:
    """A skill level in words ("Acquis"), or a dash when not assessed."""
    if level in (None, ""):
        return "—"
    try:
        return SkillLevel(int(level)).label
    except ValueError:
        return "—"


@register.filter
def exit_synthesis(parcours):
    """The parcours' exit synthesis, or None (read only where `reads_exit` allows)."""
    from relais.iae.models import ExitSynthesis

    return ExitSynthesis.objects.filter(parcours=parcours).first()
