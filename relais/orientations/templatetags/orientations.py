from django import template

from relais.requests.enums import Channel, RequestStatus

from ..enums import OrientationEventKind
from ..models import Orientation

register = template.Library()


@register.inclusion_tag("orientations/_request_section.html", takes_context=True)
def orientation_section(context, req):
    """The request page's orientation block: where the household is oriented, what happened,
    and for the SIAO the way to orient it. Rendered from here so the request view needs no
    knowledge of orientations."""
    user = context["request"].user
    orientations = (
        Orientation.objects.visible_to(user)
        .filter(request__household_id=req.household_id, request__channel=req.channel)
        .select_related("structure", "capacity")
        .order_by("-created_at", "-id")
    )
    current = next((o for o in orientations if o.is_active), None)
    return {
        "req": req,
        "user": user,
        "orientations": list(orientations),
        "current": current,
        "window_flag": current.window_flag_for(user) if current else "",
        # Orienting is the request's "oriented" step, driven by an attribution by the SIAO.
        "can_orient": OrientationEventKind.ATTRIBUTED in Orientation.openings_for(req, user),
        "needs_evaluation_first": req.status == RequestStatus.NEW
        and req.channel != Channel.EMERGENCY,
    }


@register.filter
def refusal_for(orientation, user) -> str:
    """Why the structure refused, or nothing for who may not read it (SIAO-20)."""
    return orientation.refusal_for(user)


@register.filter
def end_of_stay_for(orientation, user) -> str:
    return orientation.end_of_stay_for(user)


@register.filter
def destination_for(orientation, user) -> str:
    return orientation.end_destination_for(user)
