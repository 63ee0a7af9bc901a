"""Choices of review and selection, and their two state machines with explicit tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import ApplicationStatus


class OthersScores(models.TextChoices):
    """Whether a reviewer sees the other reviewers' scores of an application."""

    NEVER = "never", _("Never")
    AFTER_SUBMIT = "after_submit", _("After submitting their own")
    ALWAYS = "always", _("Always")


class CriterionSource(models.TextChoices):
    """Who gives a criterion its score: the reviewers, or the system from the previous stage's
    attendance (participation), for a later stage."""

    REVIEWERS = "reviewers", _("The reviewers")
    ATTENDANCE = "attendance", _("Attendance at the previous stage (automatic)")


class AssignmentMethod(models.TextChoices):
    MANUAL = "manual", _("By hand")
    BULK = "bulk", _("In bulk")
    AUTO = "auto", _("Automatic")
    REASSIGNED = "reassigned", _("Moved after a conflict")


class ReviewStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CONFLICT = "conflict", _("Conflict of interest")
    ABSTAINED = "abstained", _("Abstained")


R = ReviewStatus

# from → the statuses it may go to. A submitted review may be edited (submitted again) until the
# stage's review deadline; a conflict is final (the assignment moves to someone else); an
# abstention may be taken back while the review is open.
REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    R.ASSIGNED: frozenset({R.DRAFT, R.SUBMITTED, R.CONFLICT, R.ABSTAINED}),
    R.DRAFT: frozenset({R.SUBMITTED, R.CONFLICT, R.ABSTAINED}),
    R.SUBMITTED: frozenset({R.CONFLICT, R.ABSTAINED}),
    R.ABSTAINED: frozenset({R.DRAFT, R.SUBMITTED}),
    R.CONFLICT: frozenset(),
}
# Assignments still waiting for the reviewer (the queue, reminders).
OUTSTANDING_REVIEW_STATUSES = frozenset({R.ASSIGNED, R.DRAFT})
# Assignments that count towards "N reviewers per application" (a conflict or abstention frees
# the slot for someone else).
ACTIVE_REVIEW_STATUSES = frozenset({R.ASSIGNED, R.DRAFT, R.SUBMITTED})
# Whatever the reviewer has not handed in is theirs alone.
UNSUBMITTED_REVIEW_STATUSES = frozenset({R.ASSIGNED, R.DRAFT})


def review_can_transition(source: str, target: str) -> bool:
    return target in REVIEW_TRANSITIONS.get(source, frozenset())


class Decision(models.TextChoices):
    """What a published selection says about one applicant at one stage, and what became of an
    offer afterwards."""

    SELECTED = "selected", _("Selected")
    WAITLISTED = "waitlisted", _("Waitlisted")
    NOT_SELECTED = "not_selected", _("Not selected")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    LAPSED = "lapsed", _("Offer lapsed")


D = Decision

DECISION_TRANSITIONS: dict[str, frozenset[str]] = {
    D.SELECTED: frozenset({D.ACCEPTED, D.DECLINED, D.LAPSED}),
    D.WAITLISTED: frozenset({D.SELECTED, D.NOT_SELECTED}),
    D.NOT_SELECTED: frozenset(),
    D.ACCEPTED: frozenset(),
    D.DECLINED: frozenset(),
    D.LAPSED: frozenset(),
}
# What a publish may decide (the ranking's three outcomes).
PUBLISHED_DECISIONS = (D.SELECTED, D.WAITLISTED, D.NOT_SELECTED)
PUBLISHED_DECISION_CHOICES = [(d.value, d.label) for d in PUBLISHED_DECISIONS]
# Decisions that hold a seat: an open offer or an accepted one.
SEAT_HOLDING = frozenset({D.SELECTED, D.ACCEPTED})
# The application's status that mirrors each decision at the first stage (later stages keep
# the application "accepted": the person is already a participant).
APPLICATION_STATUS_OF = {
    D.SELECTED: ApplicationStatus.SELECTED,
    D.WAITLISTED: ApplicationStatus.WAITLISTED,
    D.NOT_SELECTED: ApplicationStatus.NOT_SELECTED,
    D.ACCEPTED: ApplicationStatus.ACCEPTED,
    D.DECLINED: ApplicationStatus.DECLINED,
    D.LAPSED: ApplicationStatus.DECLINED,
}


def decision_can_transition(source: str, target: str) -> bool:
    return target in DECISION_TRANSITIONS.get(source, frozenset())


class RunStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Replaced by a newer preview")


class TieBreaker(models.TextChoices):
    SUBMITTED_AT = "submitted_at", _("Earlier submission")
    WORKERS = "workers", _("Smaller workforce")
    LOTTERY = "lottery", _("Seeded lottery")


# Why the ranking decided (ranking.py's reason codes), plus the office's own decisions.
class Reason(models.TextChoices):
    MERIT = "merit", _("Score within the seats")
    KECAMATAN_MIN = "kecamatan_min", _("Minimum quota of the kecamatan")
    WOMEN_MIN = "women_min", _("Minimum share of women-owned businesses")
    WAITLIST = "waitlist", _("Next in merit order: waitlist")
    SEATS_FULL = "seats_full", _("Seats taken by higher scores")
    NO_TRACK_SEAT = "no_track_seat", _("The chosen tracks were full")
    KECAMATAN_MAX = "kecamatan_max", _("The kecamatan's maximum was reached")
    NO_SCORE = "no_score", _("No submitted review")
    MANUAL = "manual", _("Adjusted by hand")
    PROMOTED = "promoted", _("Moved up from the waitlist")


# The first stage's applicants come from these application statuses; later stages take the
# previous stage's accepted participants.
FIRST_STAGE_POOL = frozenset({ApplicationStatus.ELIGIBLE, ApplicationStatus.IN_REVIEW})

DEFAULT_REVIEWERS_PER_APPLICATION = 2
DEFAULT_SPREAD_THRESHOLD = 30  # points on the 0-100 scale
DEFAULT_REMINDER_DAYS = 3
DEFAULT_OFFER_DAYS = 7
CRITERION_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"

# Criteria of a product-efficiency programme: key, label (id), label (en), description, scale,
# weight, counted (an optional criterion is shown and may be scored but is not counted).
DEFAULT_CRITERIA = [
    (
        "potensi_efisiensi",
        "Potensi efisiensi",
        "Efficiency potential",
        "Seberapa besar ruang perbaikan proses, bahan dan waktu produksi.",
        (1, 5),
        3,
        True,
    ),
    (
        "kesiapan_usaha",
        "Kesiapan usaha",
        "Business readiness",
        "Legalitas, pencatatan, kapasitas dan kestabilan produksi.",
        (1, 5),
        2,
        True,
    ),
    (
        "komitmen",
        "Komitmen",
        "Commitment",
        "Kesediaan mengikuti seluruh pelatihan dan menerapkan hasilnya.",
        (1, 5),
        2,
        True,
    ),
    (
        "dampak_tenaga_kerja",
        "Dampak tenaga kerja",
        "Employment impact",
        "Tenaga kerja yang ikut merasakan manfaat pembinaan.",
        (1, 5),
        1,
        True,
    ),
    (
        "catatan_lapangan",
        "Catatan kunjungan lapangan",
        "Field visit notes",
        "Opsional: kesan dari kunjungan lapangan, tidak dihitung dalam skor.",
        (1, 5),
        1,
        False,
    ),
]
