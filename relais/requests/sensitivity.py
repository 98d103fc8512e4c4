"""Field-level protection of health and justice information.

Who may read which category, whatever page, export or API shows it:

| reader                                          | health | justice |
|-------------------------------------------------|--------|---------|
| SIAO operator of the territory                  | yes    | yes     |
| referring service (social worker, CPIP, 115)    | yes    | yes     |
| a worker reading through an access on request   | no     | no      |
| structure manager (oriented / hosted people)    | no     | no      |
| territory administrator, State service, SIAE    | no file at all              |
| superuser                                       | yes    | yes     |

The SIAO passes to a structure what it needs to know; the referring service wrote it.
"""

from relais.accounts.enums import Role

HEALTH = "health"
JUSTICE = "justice"

# Fields of SocialEvaluation in each category.
EVALUATION_FIELDS = {
    HEALTH: ("problem_health", "health_coverage", "mutual_insurance"),
    JUSTICE: ("problem_justice",),
}
# Reasons for the request that reveal a category.
REASONS = {HEALTH: ("hospital_discharge", "disability"), JUSTICE: ("prison_release",)}


def readable_categories(user, request) -> set[str]:
    """The sensitive categories `user` may read on `request`."""
    if user.is_superuser:
        return {HEALTH, JUSTICE}
    if user.role == Role.SIAO_OPERATOR and user.organisation.territory_id == request.territory_id:
        return {HEALTH, JUSTICE}
    if user.organisation_id == request.referrer_organisation_id and user.role in (
        Role.SOCIAL_WORKER,
        Role.CPIP,
        Role.EMERGENCY_LINE,
    ):
        return {HEALTH, JUSTICE}
    return set()


def hidden_fields(user, request) -> set[str]:
    readable = readable_categories(user, request)
    return {
        field
        for category, fields in EVALUATION_FIELDS.items()
        if category not in readable
        for field in fields
    }


def hidden_reasons(user, request) -> set[str]:
    readable = readable_categories(user, request)
    return {
        reason
        for category, reasons in REASONS.items()
        if category not in readable
        for reason in reasons
    }
