import pytest

from tests.factories import PartnerMemberFactory, ProgramFactory, VerifiedEnterpriseFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def program(db):
    return ProgramFactory(with_setup=True)


@pytest.fixture
def enterprise(owner):
    return VerifiedEnterpriseFactory(owner=owner, owner_nik="3573054512850001")


@pytest.fixture
def program_reviewer(program):
    return PartnerMemberFactory(partner=program.partner, role="partner_reviewer").user
