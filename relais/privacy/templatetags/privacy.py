from django import template

from relais.privacy.rights import rights_requests

register = template.Library()


@register.filter
def answers_rights_of(user, person) -> bool:
    """{% if user|answers_rights_of:person %}: may this user answer the person's rights?"""
    return rights_requests(user, person).exists()
