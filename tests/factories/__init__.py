from .accounts import UserFactory
from .partnerships import PartnerFactory, PartnerMemberFactory

__all__ = ["PartnerFactory", "PartnerMemberFactory", "UserFactory"]
