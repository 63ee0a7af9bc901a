"""Personal data of the programme side under UU 27/2022, reached by the platform's data-rights
app (ikm_portal/datarights) through TrainingConfig's hooks: the owner's data download, what an
open programme must keep (holds), erasure, and the retention of abandoned draft applications."""

from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils.translation import gettext as _

from ikm_portal.core.services import activity_log
from ikm_portal.datarights.extensions import Hold

from .choices import ApplicationStatus, ProgramStatus
from .models import Answer, Application

CLOSED_PROGRAMS = (ProgramStatus.COMPLETED, ProgramStatus.CANCELLED)
# Applications an open programme no longer needs: never sent, withdrawn or turned down.
FINISHED = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.WITHDRAWN,
    ApplicationStatus.INELIGIBLE,
    ApplicationStatus.NOT_SELECTED,
    ApplicationStatus.DECLINED,
)


def _applications_of(user):
    return Application.objects.filter(Q(enterprise__owner=user) | Q(applicant=user)).distinct()


def personal_data_export(user) -> dict:
    applications = []
    qs = _applications_of(user).select_related("program", "enterprise").order_by("pk")
    for a in qs.prefetch_related("answers__question", "track_choices__track", "participants"):
        participants = []
        for p in a.participants.all():
            certificate = getattr(p, "certificate", None)
            participants.append(
                {
                    "status": p.status,
                    "enrolled_at": p.enrolled_at,
                    "completed_at": p.completed_at,
                    "certificate": certificate.number if certificate else "",
                }
            )
        applications.append(
            {
                "id": a.pk,
                "program": a.program.title,
                "business": a.enterprise.name,
                "status": a.status,
                "submitted_at": a.submitted_at,
                "tracks": [c.track.name for c in a.track_choices.all()],
                "answers": [
                    {"question": ans.question.text, "answer": ans.value, "file": ans.file_name}
                    for ans in a.answers.all()
                ],
                "consent_share_with_partner": a.consent_share_with_partner,
                "consent_at": a.consent_at,
                "consent_withdrawn_at": a.consent_withdrawn_at,
                "participation": participants,
            }
        )
    return {"applications": applications} if applications else {}


def personal_data_holds(user) -> list[Hold]:
    """An application still in play in a programme that has not closed keeps the business as
    it is (the office and the partner decide on it) until the programme closes."""
    holds = []
    qs = (
        _applications_of(user)
        .exclude(program__status__in=CLOSED_PROGRAMS)
        .exclude(status__in=FINISHED)
        .select_related("program", "enterprise")
    )
    for a in qs:
        what = _("Application of %(business)s to %(program)s, with the business's data") % {
            "business": a.enterprise.name,
            "program": a.program.title,
        }
        why = _(
            "The programme %(program)s has not closed: the office and the partner need the "
            "application until it does. Ask again once it has closed."
        ) % {"program": a.program.title}
        holds.append(Hold(model="registry.enterprise", pk=a.enterprise_id, what=what, why=why))
        holds.append(Hold(model="training.application", pk=a.pk, what=what, why=why))
    return holds


def _wipe_answers(application) -> None:
    for answer in Answer.objects.filter(application=application):
        if answer.file:
            answer.file.delete(save=False)
        answer.value = None
        answer.file_name = ""
        answer.save(update_fields=["value", "file", "file_name"])


def _drop_or_wipe(application, *, actor, reason) -> None:
    """A draft goes entirely; anything the programme's records still point at is wiped."""
    if application.status == ApplicationStatus.DRAFT:
        try:
            with transaction.atomic():
                application.delete()
            return
        except ProtectedError:
            pass
    _wipe_answers(application)
    application.status_reason = ""
    application.applicant = None
    application.save(update_fields=["status_reason", "applicant", "updated_at"])
    activity_log(target=application, action="application.anonymised", actor=actor, reason=reason)


def personal_data_erase(user, *, actor, holds) -> list[tuple[str, str]]:
    kept = []
    held = {h.pk for h in holds if h.model == "training.application"}
    closed = 0
    for application in _applications_of(user).order_by("pk"):
        if application.pk in held:
            continue
        if application.status != ApplicationStatus.DRAFT:
            closed += 1
        _drop_or_wipe(application, actor=actor, reason="erasure request")
    if closed:
        kept.append(
            (
                _("Your applications to closed programmes: programme, status and dates"),
                _(
                    "The office reports on its programmes and their partners; your answers "
                    "and files were erased."
                ),
            )
        )
    from .participation.models import Certificate

    if Certificate.objects.filter(
        Q(participant__application__enterprise__owner=user)
        | Q(participant__application__applicant=user)
    ).exists():
        kept.append(
            (
                _("Certificates issued to you"),
                _("A certificate stays verifiable by its code for whoever you showed it to."),
            )
        )
    return kept


def personal_data_retention(*, cutoff) -> list[tuple[str, int]]:
    """Draft applications untouched since ``cutoff`` are removed (they were never sent)."""
    count = 0
    stale = Application.objects.filter(status=ApplicationStatus.DRAFT, updated_at__lt=cutoff)
    for application in stale.order_by("pk"):
        _drop_or_wipe(application, actor=None, reason="retention")
        count += 1
    return [(_("Abandoned draft applications"), count)] if count else []
