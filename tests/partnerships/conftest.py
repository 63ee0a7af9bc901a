import pytest

from tests.factories import PartnerMemberFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads go to a temporary MEDIA_ROOT per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def manager_member(db):
    return PartnerMemberFactory(role="partner_manager")


@pytest.fixture
def reviewer_member(manager_member):
    return PartnerMemberFactory(role="partner_reviewer", partner=manager_member.partner)


@pytest.fixture
def other_member(db):
    """A manager of another partner."""
    return PartnerMemberFactory(role="partner_manager")
