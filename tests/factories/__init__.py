from .accounts import UserFactory
from .partnerships import (
    AgreementFactory,
    PartnerFactory,
    PartnerInvitationFactory,
    PartnerMemberFactory,
)
from .registry import (
    CertificationFactory,
    EnterpriseFactory,
    KbliFactory,
    ProductFactory,
    RegionFactory,
    SentraFactory,
    VerifiedEnterpriseFactory,
)

__all__ = [
    "AgreementFactory",
    "CertificationFactory",
    "EnterpriseFactory",
    "KbliFactory",
    "PartnerFactory",
    "PartnerInvitationFactory",
    "PartnerMemberFactory",
    "ProductFactory",
    "RegionFactory",
    "SentraFactory",
    "UserFactory",
    "VerifiedEnterpriseFactory",
]
