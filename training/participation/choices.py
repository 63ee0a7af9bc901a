"""Choices of participation and outcomes, and the participant state machine with its table."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ParticipantStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    DROPPED = "dropped", _("Dropped out")
    COMPLETED = "completed", _("Completed")


PS = ParticipantStatus

# from → the statuses it may go to.
# - enrolled → active: the first attendance (or the office starts them by hand);
# - active ↔ paused: leave for a while (illness, the season's orders), with a reason;
# - dropped: left the programme, with a reason; the office may reinstate (→ active);
# - completed: only through the completion rule (or the office's override with a reason); a
#   completion is final (a certificate hangs on it; revoke the certificate instead).
PARTICIPANT_TRANSITIONS: dict[str, frozenset[str]] = {
    PS.ENROLLED: frozenset({PS.ACTIVE, PS.PAUSED, PS.DROPPED}),
    PS.ACTIVE: frozenset({PS.PAUSED, PS.DROPPED, PS.COMPLETED}),
    PS.PAUSED: frozenset({PS.ACTIVE, PS.DROPPED}),
    PS.DROPPED: frozenset({PS.ACTIVE}),
    PS.COMPLETED: frozenset(),
}
# The verb of each target (API actions, activity-log actions, notification context).
PARTICIPANT_ACTIONS = {
    PS.ACTIVE: "activate",
    PS.PAUSED: "pause",
    PS.DROPPED: "drop",
    PS.COMPLETED: "complete",
}
PARTICIPANT_REASON_REQUIRED = frozenset({PS.PAUSED, PS.DROPPED})
# Participants still taking part: sessions expect them, reminders reach them.
PARTICIPANT_CURRENT = frozenset({PS.ENROLLED, PS.ACTIVE, PS.PAUSED})


def participant_can_transition(source: str, target: str) -> bool:
    return target in PARTICIPANT_TRANSITIONS.get(source, frozenset())


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


# Present and late count as attended; an excused session does not count against the rate.
ATTENDED = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.LATE})


class AttendanceMethod(models.TextChoices):
    MANUAL = "manual", _("Marked by a facilitator")
    QR = "qr", _("QR self check-in")


class CheckinResult(models.TextChoices):
    """Why a QR check-in was refused (API `code`, page message)."""

    FORGED = "checkin_invalid", _("This check-in code is not valid.")
    EXPIRED = (
        "checkin_expired",
        _("This check-in code has expired: scan the code on the screen again."),
    )
    OUTSIDE = "checkin_outside_session", _("Check-in is open only during the session.")
    NOT_PARTICIPANT = "checkin_not_participant", _("You are not a participant of this session.")


class OutcomeWave(models.TextChoices):
    BASELINE = "baseline", _("Baseline (at acceptance)")
    ENDLINE = "endline", _("End-line (at completion)")
    FOLLOWUP = "followup", _("Follow-up")


class OutcomeStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for an answer")
    SUBMITTED = "submitted", _("Answered")


class MarketChannel(models.TextChoices):
    LOCAL = "local", _("Local shops and markets")
    MODERN_RETAIL = "modern_retail", _("Modern retail and souvenir shops")
    MARKETPLACE = "marketplace", _("Online marketplace")
    SOCIAL_MEDIA = "social_media", _("Social media")
    OTHER_REGIONS = "other_regions", _("Other cities and provinces")
    EXPORT = "export", _("Export")


# The figures of an outcome survey that the impact report compares.
NUMERIC_FIGURES = ["monthly_output", "unit_cost", "selling_price", "monthly_turnover", "workers"]
# Yes/no figures derived from two answers: something new at the later wave.
SHARE_FIGURES = ["new_certification", "new_market", "new_marketplace", "new_export"]

DEFAULT_MIN_ATTENDANCE = 80
DEFAULT_FOLLOW_UP_MONTHS = 6
OUTCOME_REMINDER_EVERY_DAYS = 7
OUTCOME_REMINDERS_MAX = 3
SMALL_CELL = 5

# Badge colours, one per meaning across the portal: waiting blue, needs action amber, done green,
# refused or lost red, draft grey.
STATUS_BADGES = {
    ParticipantStatus.ENROLLED: "text-bg-primary",
    ParticipantStatus.ACTIVE: "text-bg-success",
    ParticipantStatus.PAUSED: "text-bg-warning",
    ParticipantStatus.DROPPED: "text-bg-danger",
    ParticipantStatus.COMPLETED: "text-bg-success",
    AttendanceStatus.PRESENT: "text-bg-success",
    AttendanceStatus.LATE: "text-bg-warning",
    AttendanceStatus.EXCUSED: "text-bg-info",
    AttendanceStatus.ABSENT: "text-bg-danger",
    OutcomeStatus.REQUESTED: "text-bg-warning",
    OutcomeStatus.SUBMITTED: "text-bg-success",
}
