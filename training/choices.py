"""Choices of the programme side and its two state machines, each with its explicit table."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# One personal-data access log for the whole portal (ikm_portal/datarights): its channels.
from ikm_portal.datarights.choices import AccessChannel  # noqa: F401


class ProgramMode(models.TextChoices):
    TATAP_MUKA = "tatap_muka", _("In person (tatap muka)")
    DARING = "daring", _("Online (daring)")
    CAMPURAN = "campuran", _("Blended (campuran)")


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for applications")
    REVIEWING = "reviewing", _("Reviewing")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


P = ProgramStatus

# from → the statuses it may go to. "close" is open → reviewing; a closed call may be reopened
# (for example to extend the window) until the programme starts.
PROGRAM_TRANSITIONS: dict[str, frozenset[str]] = {
    P.DRAFT: frozenset({P.OPEN, P.CANCELLED}),
    P.OPEN: frozenset({P.REVIEWING, P.CANCELLED}),
    P.REVIEWING: frozenset({P.OPEN, P.RUNNING, P.CANCELLED}),
    P.RUNNING: frozenset({P.COMPLETED, P.CANCELLED}),
    P.COMPLETED: frozenset(),
    P.CANCELLED: frozenset(),
}
# The verb of each target (API action names and activity-log actions).
PROGRAM_ACTIONS = {
    P.OPEN: "open",
    P.REVIEWING: "close",
    P.RUNNING: "start",
    P.COMPLETED: "complete",
    P.CANCELLED: "cancel",
}
# Statuses in which a programme is public (listed to owners and anonymous visitors).
PUBLISHED_PROGRAM_STATUSES = frozenset({P.OPEN, P.REVIEWING, P.RUNNING, P.COMPLETED, P.CANCELLED})
# Only the office cancels a programme; a co-managing partner manager does the rest.
OFFICE_ONLY_PROGRAM_TARGETS = frozenset({P.CANCELLED})


def program_can_transition(source: str, target: str) -> bool:
    return target in PROGRAM_TRANSITIONS.get(source, frozenset())


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Not eligible")
    IN_REVIEW = "in_review", _("In review")
    # Selection (issue: review and multi-stage selection) continues from in_review.
    SELECTED = "selected", _("Selected")
    WAITLISTED = "waitlisted", _("Waitlisted")
    NOT_SELECTED = "not_selected", _("Not selected")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


A = ApplicationStatus

# Statuses before any published decision: the owner may still withdraw.
BEFORE_DECISION = frozenset({A.DRAFT, A.SUBMITTED, A.ELIGIBLE, A.INELIGIBLE, A.IN_REVIEW})

# from → the statuses it may go to.
# - submitted → eligible | ineligible is the automatic screening;
# - eligible ↔ ineligible (and from submitted) is the office's override, with a reason;
# - eligible → in_review starts the review; the selection issue publishes decisions from there;
# - withdrawn from any state before a published decision.
APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    A.DRAFT: frozenset({A.SUBMITTED, A.WITHDRAWN}),
    A.SUBMITTED: frozenset({A.ELIGIBLE, A.INELIGIBLE, A.WITHDRAWN}),
    A.ELIGIBLE: frozenset({A.INELIGIBLE, A.IN_REVIEW, A.WITHDRAWN}),
    A.INELIGIBLE: frozenset({A.ELIGIBLE, A.WITHDRAWN}),
    A.IN_REVIEW: frozenset({A.SELECTED, A.WAITLISTED, A.NOT_SELECTED, A.WITHDRAWN}),
    A.WAITLISTED: frozenset({A.SELECTED, A.NOT_SELECTED}),
    A.SELECTED: frozenset({A.ACCEPTED, A.DECLINED}),
    A.NOT_SELECTED: frozenset(),
    A.ACCEPTED: frozenset(),
    A.DECLINED: frozenset(),
    A.WITHDRAWN: frozenset(),
}
# A reason is required when the office overrides the automatic screening or when a decision
# concerns a person (the owner reads it).
REASON_REQUIRED_OVERRIDES = frozenset({A.ELIGIBLE, A.INELIGIBLE})
# The verb of each target (activity-log actions and notification templates).
APPLICATION_ACTIONS = {
    A.SUBMITTED: "submit",
    A.ELIGIBLE: "eligible",
    A.INELIGIBLE: "ineligible",
    A.IN_REVIEW: "review",
    A.SELECTED: "select",
    A.WAITLISTED: "waitlist",
    A.NOT_SELECTED: "not_select",
    A.ACCEPTED: "accept",
    A.DECLINED: "decline",
    A.WITHDRAWN: "withdraw",
}
# Applications a partner's members may see (with the owner's consent): from eligible on.
PARTNER_VISIBLE_STATUSES = frozenset(
    {A.ELIGIBLE, A.IN_REVIEW, A.SELECTED, A.WAITLISTED, A.NOT_SELECTED, A.ACCEPTED, A.DECLINED}
)
# Applications already handed in (a second submit of one of these changes nothing).
SUBMITTED_STATUSES = frozenset(
    {
        A.SUBMITTED,
        A.ELIGIBLE,
        A.INELIGIBLE,
        A.IN_REVIEW,
        A.SELECTED,
        A.WAITLISTED,
        A.NOT_SELECTED,
        A.ACCEPTED,
        A.DECLINED,
    }
)
# Selection decisions and offers (issue 6, training/selection) reach the owner through the
# selection's own messages (deadline, waitlist position, score band): one message per decision.
SELECTION_NOTIFIED_STATUSES = frozenset(
    {A.SELECTED, A.WAITLISTED, A.NOT_SELECTED, A.ACCEPTED, A.DECLINED}
)
# A person "in a running programme" holds one of these in a programme that is running.
PARTICIPANT_STATUSES = frozenset({A.SELECTED, A.ACCEPTED})


def application_can_transition(source: str, target: str) -> bool:
    return target in APPLICATION_TRANSITIONS.get(source, frozenset())


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    YES_NO = "yes_no", _("Yes / no")
    FILE = "file", _("File")


CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})


class EligibilityRule(models.TextChoices):
    """The rule keys of an eligibility result (`[{rule, ok, reason}]`)."""

    VERIFIED = "verified", _("Business verified")
    SIZE_CLASS = "size_class", _("Size class")
    REGION = "region", _("Location")
    KBLI_DIVISION = "kbli_division", _("KBLI division")
    YEARS_OPERATING = "years_operating", _("Years operating")
    NIB = "nib", _("NIB")
    NOT_IN_RUNNING_PROGRAM = "not_in_running_program", _("Not in another running programme")


DEFAULT_SIZE_CLASSES = ["kecil", "menengah"]
MAX_TRACK_CHOICES = 3
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000
