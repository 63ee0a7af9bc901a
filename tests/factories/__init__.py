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
from .training import (
    AnswerFactory,
    ApplicationFactory,
    ProgramFactory,
    QuestionFactory,
    StageFactory,
    TrackFactory,
)

__all__ = [
    "AgreementFactory",
    "AnswerFactory",
    "ApplicationFactory",
    "CertificationFactory",
    "EnterpriseFactory",
    "KbliFactory",
    "PartnerFactory",
    "PartnerInvitationFactory",
    "PartnerMemberFactory",
    "ProductFactory",
    "ProgramFactory",
    "QuestionFactory",
    "RegionFactory",
    "SentraFactory",
    "StageFactory",
    "TrackFactory",
    "UserFactory",
    "VerifiedEnterpriseFactory",
]
