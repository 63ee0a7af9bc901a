"""Review and selection factories.

`ReviewFactory(stage=…, application=…)` is an assignment (status "assigned") of a new reviewer of
the programme's partner; pass `scores=…, status="submitted"` (and `total`) for a review handed
in, or use `submit_review()` to go through the service. `StageSettingsFactory(stage=…)` gives a
stage an open review window."""

from datetime import timedelta

import factory
from django.utils import timezone

from training.selection.choices import ReviewStatus
from training.selection.models import Criterion, Review, StageSettings

from .partnerships import PartnerMemberFactory
from .training import ApplicationFactory, StageFactory


class StageSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageSettings
        django_get_or_create = ("stage",)

    stage = factory.SubFactory(StageFactory)
    review_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    review_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    use_track_seats = factory.LazyAttribute(lambda o: o.stage.order == 1)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    stage = factory.SubFactory(StageFactory)
    key = factory.Sequence(lambda n: f"kriteria_{n}")
    label_id = factory.Sequence(lambda n: f"Kriteria {n}")
    label_en = factory.Sequence(lambda n: f"Criterion {n}")
    scale_min = 1
    scale_max = 5
    weight = 1
    counted = True
    position = factory.Sequence(int)


def partner_reviewer(program):
    """A new reviewer of the programme's partner."""
    return PartnerMemberFactory(partner=program.partner, role="partner_reviewer").user


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    stage = factory.SubFactory(StageFactory)
    application = factory.SubFactory(
        ApplicationFactory,
        program=factory.SelfAttribute("..stage.program"),
        status="in_review",
    )
    reviewer = factory.LazyAttribute(lambda o: partner_reviewer(o.stage.program))
    status = ReviewStatus.ASSIGNED
