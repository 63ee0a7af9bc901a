from .accounts import UserFactory
from .partnerships import PartnerFactory, PartnerMemberFactory
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
    "CertificationFactory",
    "EnterpriseFactory",
    "KbliFactory",
    "PartnerFactory",
    "PartnerMemberFactory",
    "ProductFactory",
    "RegionFactory",
    "SentraFactory",
    "UserFactory",
    "VerifiedEnterpriseFactory",
]
