"""Fixtures of review and selection: the Sampoerna-like programme of tests/training/conftest.py
(five tracks of 20 seats, stages of 100 and 20), its first stage with an open review window and
the default rubric, four partner reviewers, and applicants in review."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.factories import (
    ApplicationFactory,
    StageSettingsFactory,
    VerifiedEnterpriseFactory,
    partner_reviewer,
)
from training.choices import ApplicationStatus
from training.selection import services


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted as their English msgids (Indonesian is the default language):
    English in the test itself and in requests without a signed-in user's language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def stage1(program):
    stage = program.stages.get(order=1)
    StageSettingsFactory(stage=stage)
    services.rubric_ensure_default(stage=stage)
    return stage


@pytest.fixture
def stage2(program, stage1):
    stage = program.stages.get(order=2)
    StageSettingsFactory(stage=stage)
    services.rubric_ensure_default(stage=stage)
    return stage


@pytest.fixture
def reviewers(program):
    return [partner_reviewer(program) for _ in range(4)]


@pytest.fixture
def make_applicants(program, tracks):
    """`make_applicants(n, status="in_review", tracks=[...], **enterprise fields)`."""

    def make(n, status=ApplicationStatus.IN_REVIEW, choices=None, **enterprise):
        rows = []
        base = timezone.now() - timedelta(days=5)
        for i in range(n):
            rows.append(
                ApplicationFactory(
                    program=program,
                    enterprise=VerifiedEnterpriseFactory(**enterprise),
                    status=status,
                    submitted_at=base + timedelta(minutes=i),
                    tracks=choices if choices is not None else [tracks[i % len(tracks)]],
                )
            )
        return rows

    return make


FULL_SCORES = {
    "potensi_efisiensi": 5,
    "kesiapan_usaha": 5,
    "komitmen": 5,
    "dampak_tenaga_kerja": 5,
}


def scores_for(level: int) -> dict:
    """Every counted default criterion at the same level (1 to 5)."""
    return dict.fromkeys(FULL_SCORES, level)


@pytest.fixture
def review_all():
    """Submit, through the service, a review of every given assignment at a score level."""

    def review(reviews, level_of):
        for r in reviews:
            services.review_save(
                review=r,
                actor=r.reviewer,
                scores=scores_for(level_of(r)),
                comment="Sudah dinilai sesuai rubrik.",
            )

    return review
