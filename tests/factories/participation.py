"""Participation factories.

`AcceptedApplicationFactory()` is an accepted application (with consent to share) in a
programme with the five tracks and the stages of 100 and 20. `ParticipantFactory()` enrols one
through the service, as the selection's accept does. `SessionFactory()` is a two-hour session of
the programme's first stage that ended yesterday."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from training.choices import ApplicationStatus
from training.models import Attendance, CompletionRule, OutcomeSurvey, Session
from training.participation.choices import AttendanceMethod, OutcomeStatus, OutcomeWave
from training.participation.services import participant_enroll

from .training import ApplicationFactory, StageFactory


class AcceptedApplicationFactory(ApplicationFactory):
    status = ApplicationStatus.ACCEPTED


def enrol(application=None, stage_order: int = 1, track=None, **app_kwargs):
    """Enrol an (accepted) application in the stage of that order, through the service."""
    application = application or AcceptedApplicationFactory(**app_kwargs)
    stage = application.program.stages.get(order=stage_order)
    return participant_enroll(application=application, stage=stage, track=track)


class ParticipantFactory:
    """`ParticipantFactory(stage_order=1, **application_kwargs)` (a function-like factory: rows
    are created by the service, never directly)."""

    def __new__(cls, application=None, stage_order: int = 1, track=None, **app_kwargs):
        return enrol(application, stage_order, track, **app_kwargs)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    stage = factory.SubFactory(StageFactory)
    program = factory.LazyAttribute(lambda o: o.stage.program)
    title = factory.Sequence(lambda n: f"Sesi {n}: Efisiensi Produksi")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1, hours=2))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    place = "PPK Sampoerna, Sukorejo"
    facilitator = "Tim PPK Sampoerna"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    status = "present"
    method = AttendanceMethod.MANUAL
    marked_at = factory.LazyFunction(timezone.now)


class CompletionRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompletionRule
        django_get_or_create = ("program",)

    min_attendance_percent = 80
    require_endline = True
    follow_up_months = 6


FIGURES = {
    "monthly_output": Decimal("1000.00"),
    "output_unit": "pcs",
    "unit_cost": Decimal("5000.00"),
    "selling_price": Decimal("8000.00"),
    "monthly_turnover": Decimal("8000000.00"),
    "workers": 3,
    "certifications": [],
    "markets": ["local"],
}


class OutcomeSurveyFactory(factory.django.DjangoModelFactory):
    """A submitted survey with the figures above (pass any figure to change it)."""

    class Meta:
        model = OutcomeSurvey

    wave = OutcomeWave.BASELINE
    status = OutcomeStatus.SUBMITTED
    requested_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyFunction(timezone.now)
    monthly_output = FIGURES["monthly_output"]
    output_unit = FIGURES["output_unit"]
    unit_cost = FIGURES["unit_cost"]
    selling_price = FIGURES["selling_price"]
    monthly_turnover = FIGURES["monthly_turnover"]
    workers = FIGURES["workers"]
    certifications = factory.LazyFunction(list)
    markets = factory.LazyFunction(lambda: ["local"])


def answer(application, wave: str = OutcomeWave.BASELINE, **figures) -> OutcomeSurvey:
    """A submitted survey of this wave (the requested one is answered if it exists)."""
    values = {**FIGURES, **figures}
    survey, _created = OutcomeSurvey.objects.update_or_create(
        application=application,
        wave=wave,
        defaults={
            **values,
            "status": OutcomeStatus.SUBMITTED,
            "requested_at": timezone.now(),
            "submitted_at": timezone.now(),
        },
    )
    return survey
