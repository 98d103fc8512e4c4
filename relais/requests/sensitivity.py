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

The same gate covers what reveals a category without naming it: a resource line (the AAH is
paid for a disability), a housing situation (detention, a medico-social structure), an
end-of-stay destination (prison, care). It also covers the reasons behind a decision — why a
structure refused an admission, the free notes of a refusal, an end of stay or a closure —
read in full only by those who read both categories (`reads_decisions`): the next structure
sees that an orientation was refused, not why; the 115 sees where a stay led in a category
that reveals nothing judicial or medical (`discloses_destination`). A block that may reveal a
category is masked whole for whoever cannot read it, whatever its value, so that the mask
itself says nothing.
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
# Resource lines of an evaluation that reveal a category (the AAH: a disability).
RESOURCE_KINDS = {HEALTH: ("aah",)}
# Housing situations that reveal a category: the housing block needs both to be shown.
HOUSING_SITUATIONS = {HEALTH: ("medico_social",), JUSTICE: ("judicial",)}
# End-of-stay destinations that reveal a category, and the label shown instead: shared with
# "unknown" so that the category cannot be told apart.
DESTINATIONS = {HEALTH: ("care",), JUSTICE: ("prison",)}
UNDISCLOSED_DESTINATION = "Autre ou non précisée"
UNDISCLOSED_DESTINATIONS = ("care", "prison", "unknown")
# Events of a request whose note tells why (see `reads_decisions`).
DECISION_EVENTS = ("refused", "stay_ended", "closed")


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


def _hidden(user, request, by_category: dict) -> set[str]:
    """The entries of `by_category` (category → names) in the categories `user` may not read."""
    readable = readable_categories(user, request)
    return {
        name
        for category, names in by_category.items()
        if category not in readable
        for name in names
    }


def hidden_fields(user, request) -> set[str]:
    return _hidden(user, request, EVALUATION_FIELDS)


def hidden_reasons(user, request) -> set[str]:
    return _hidden(user, request, REASONS)


def hidden_resource_kinds(user, request) -> set[str]:
    return _hidden(user, request, RESOURCE_KINDS)


def shows_housing_situation(user, request) -> bool:
    """Whether the housing block (situation and its comment) is shown: only to who reads every
    category a situation may reveal, whatever the situation is."""
    return set(HOUSING_SITUATIONS) <= readable_categories(user, request)


def reads_decisions(user, request) -> bool:
    """Whether `user` reads why a structure refused, where a stay led, and the free notes of
    those decisions on `request`: the SIAO and the referring service."""
    return {HEALTH, JUSTICE} <= readable_categories(user, request)


def reads_orientation_decisions(user, orientation) -> bool:
    """`reads_decisions`, and the managers of the structure that took the decision."""
    return reads_decisions(user, orientation.request) or (
        user.role == Role.STRUCTURE_MANAGER
        and user.organisation_id is not None
        and user.organisation_id == orientation.structure.manager_id
    )


def discloses_destination(destination: str, *, full: bool) -> bool:
    """Whether the destination is shown as recorded; if not, UNDISCLOSED_DESTINATION is."""
    return full or destination not in UNDISCLOSED_DESTINATIONS
