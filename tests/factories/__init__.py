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
from .selection import (
    CriterionFactory,
    ReviewFactory,
    StageSettingsFactory,
    partner_reviewer,
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
    "CriterionFactory",
    "EnterpriseFactory",
    "KbliFactory",
    "PartnerFactory",
    "PartnerInvitationFactory",
    "PartnerMemberFactory",
    "ProductFactory",
    "ProgramFactory",
    "QuestionFactory",
    "RegionFactory",
    "ReviewFactory",
    "SentraFactory",
    "StageFactory",
    "StageSettingsFactory",
    "TrackFactory",
    "UserFactory",
    "VerifiedEnterpriseFactory",
    "partner_reviewer",
]
