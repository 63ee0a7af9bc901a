import pytest

from tests.factories import (
    PartnerMemberFactory,
    ProgramFactory,
    VerifiedEnterpriseFactory,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def program(db):
    """An open programme with a partner, five tracks and stages of 100 and 20."""
    return ProgramFactory(with_setup=True)


@pytest.fixture
def tracks(program):
    return list(program.tracks.order_by("position"))


@pytest.fixture
def enterprise(owner):
    """The owner's verified business in Dinoyo, Lowokwaru (small industry, tempe)."""
    return VerifiedEnterpriseFactory(owner=owner)


@pytest.fixture
def other_enterprise(other_owner):
    return VerifiedEnterpriseFactory(owner=other_owner)


@pytest.fixture
def program_reviewer(program):
    """A reviewer of the programme's partner."""
    return PartnerMemberFactory(partner=program.partner, role="partner_reviewer").user


@pytest.fixture
def program_manager(program):
    return PartnerMemberFactory(partner=program.partner, role="partner_manager").user


@pytest.fixture
def other_reviewer(db):
    """A reviewer of another partner, which runs its own programme."""
    member = PartnerMemberFactory(role="partner_reviewer")
    ProgramFactory(partner=member.partner, with_setup=True)
    return member.user


@pytest.fixture
def users(owner, other_owner, staff, program_reviewer, other_reviewer):
    return {
        "anonymous": None,
        "owner": owner,
        "other_owner": other_owner,
        "staff": staff,
        "partner_of_program": program_reviewer,
        "partner_of_other": other_reviewer,
    }
