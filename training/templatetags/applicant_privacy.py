"""The owner's name in lists a partner's members see: "data withdrawn by the owner" once the
owner withdrew their consent to share with the partner (training.permissions)."""

from django import template

from ..permissions import shares_personal_data
from ..selectors import WITHDRAWN_PLACEHOLDER

register = template.Library()


@register.filter
def owner_name_for(application, user) -> str:
    if application is None:
        return ""
    if not shares_personal_data(user, application):
        return str(WITHDRAWN_PLACEHOLDER)
    return application.enterprise.owner_name


@register.filter
def shares_with(application, user) -> bool:
    return application is None or shares_personal_data(user, application)
