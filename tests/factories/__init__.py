from .accounts import UserFactory
from .partnerships import (
    AgreementFactory,
    PartnerFactory,
    PartnerInvitationFactory,
    PartnerMemberFactory,
)

__all__ = [
    "AgreementFactory",
    "PartnerFactory",
    "PartnerInvitationFactory",
    "PartnerMemberFactory",
    "UserFactory",
]
