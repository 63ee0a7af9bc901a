"""The owner's name in lists a partner's members see: "data withdrawn by the owner" once the
owner withdrew their consent to share with the partner (training.permissions)."""

from django import template

from ..permissions import shares_personal_data, withholds_personal_data
from ..selectors import WITHDRAWN_PLACEHOLDER

register = template.Library()


@register.filter
def owner_name_for(application, user) -> str:
    """`{{ application|owner_name_for:user }}`"""
    if application is None:
        return ""
    if not shares_personal_data(user, application):
        return str(WITHDRAWN_PLACEHOLDER)
    return application.enterprise.owner_name


@register.filter
def shares_with(application, user) -> bool:
    return application is None or shares_personal_data(user, application)


def participant_owner_name(participant, user) -> str:
    """The same for a participant row (its programme, business and application are loaded
    with it: no query per row)."""
    if withholds_personal_data(
        user,
        program=participant.program,
        enterprise=participant.enterprise,
        consent=participant.application.consent_share_with_partner,
    ):
        return str(WITHDRAWN_PLACEHOLDER)
    return participant.enterprise.owner_name


register.filter("participant_owner_name", participant_owner_name)
