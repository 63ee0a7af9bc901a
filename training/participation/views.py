"""Pages of participation and outcomes: sessions and attendance (with the QR screen and the
participant's check-in), participants, certificates and their public verification, the outcome
surveys, the impact report, the office and partner dashboards and the public statistics. They
call the same services, selectors and scoping functions as the API."""

import io
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from ikm_portal.core.exceptions import ApplicationError
from ikm_portal.core.selectors import activity_for
from partnerships.permissions import is_office, membership_of
from training import services as training_services
from training.choices import AccessChannel
from training.models import Program
from training.permissions import programs_visible_to

from . import checkin, selectors, services
from .api.views import certificate_response
from .choices import (
    PARTICIPANT_TRANSITIONS,
    AttendanceStatus,
    OutcomeStatus,
    OutcomeWave,
    ParticipantStatus,
)
from .filtersets import OutcomeFilterSet, ParticipantFilterSet
from .forms import (
    AttendanceForm,
    CheckinForm,
    CompleteForm,
    CompletionRuleForm,
    OutcomeForm,
    OutcomeRequestForm,
    ParticipantStatusForm,
    ReasonForm,
    SessionForm,
    VerifyForm,
)
from .models import Attendance, Certificate, OutcomeSurvey, Participant, Session
from .permissions import (
    can_enter_outcome,
    can_manage_participants,
    can_manage_sessions,
    can_mark_attendance,
    can_override_completion,
    can_request_outcomes,
    can_revoke_certificate,
    can_view_office_dashboard,
    can_view_partner_dashboard,
    can_view_program_reports,
    certificates_visible_to,
)
from .stats import exports
from .stats.program import funnel, impact_report, session_attendance
from .stats.registry import registry_stats


def form_error(form, exc: ApplicationError) -> None:
    """Show a service error on the form: on its field when the form has it, else on top."""
    placed = False
    for field, errors in exc.field_errors.items():
        errors = errors if isinstance(errors, list | tuple) else [errors]
        if field in form.fields:
            for error in errors:
                form.add_error(field, str(error))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _page(request, queryset, per_page: int = 25):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _program(request, pk: int) -> Program:
    return get_object_or_404(programs_visible_to(request.user), pk=pk)


def _program_for_staff(request, pk: int) -> Program:
    """A programme page for the office and the programme's partner members; 404 for others."""
    program = _program(request, pk)
    if not can_view_program_reports(request.user, program):
        raise Http404
    return program


def _session_for_staff(request, pk: int) -> Session:
    session = get_object_or_404(selectors.session_list(user=request.user), pk=pk)
    if not can_mark_attendance(request.user, session.program):
        raise Http404
    return session


def _log_partner_views(request, participants, channel) -> None:
    services.partner_views_record(
        user=request.user,
        application_ids=[p.application_id for p in participants],
        channel=channel,
        path=request.get_full_path(),
    )


# =============================================================================================
# Navigation and dashboard panels (added to the training AppConfig by hooks.register)
# =============================================================================================


def nav_items(user):
    from ikm_portal.core.extensions import NavItem

    items = [NavItem(gettext_lazy("Statistics"), reverse("participation_public:statistics"), 80)]
    if user is None or not user.is_authenticated:
        return items
    if can_view_office_dashboard(user):
        items.append(NavItem(gettext_lazy("Reports"), reverse("training:office_dashboard"), 60))
    elif can_view_partner_dashboard(user):
        items.append(NavItem(gettext_lazy("Reports"), reverse("training:partner_dashboard"), 60))
    elif Participant.objects.filter(enterprise__owner=user).exists() or (
        OutcomeSurvey.objects.filter(application__enterprise__owner=user).exists()
    ):
        items.append(
            NavItem(gettext_lazy("My training"), reverse("training:participation_mine"), 32)
        )
    return items


def dashboard_panels(request):
    from ikm_portal.core.extensions import Panel

    user = request.user
    if not user.is_authenticated:
        return []
    if can_view_office_dashboard(user):
        waiting = OutcomeSurvey.objects.filter(status=OutcomeStatus.REQUESTED).count()
        today = timezone.localdate()
        sessions_today = Session.objects.filter(
            starts_at__date=today, cancelled_at__isnull=True
        ).count()
        return [
            Panel(
                "training/participation/panels/office.html",
                {"surveys_waiting": waiting, "sessions_today": sessions_today},
                order=25,
            )
        ]
    if can_view_partner_dashboard(user):
        return [Panel("training/participation/panels/partner.html", {}, order=25)]
    surveys = list(
        selectors.outcomes_of_owner(user=user).filter(status=OutcomeStatus.REQUESTED)[:5]
    )
    upcoming = list(
        selectors.session_list(user=user)
        .filter(ends_at__gte=timezone.now(), cancelled_at__isnull=True)
        .order_by("starts_at")[:3]
    )
    if not surveys and not upcoming:
        return []
    return [
        Panel(
            "training/participation/panels/owner.html",
            {"surveys": surveys, "upcoming": upcoming},
            order=21,
        )
    ]


# =============================================================================================
# The owner: my training, check-in, surveys, certificates
# =============================================================================================


@login_required
def participation_mine(request):
    user = request.user
    participants = list(selectors.participants_of_owner(user=user).order_by("-enrolled_at"))
    sessions = list(
        selectors.session_list(user=user)
        .filter(ends_at__gte=timezone.now() - timedelta(hours=2))
        .order_by("starts_at")[:10]
    )
    now = timezone.now()
    return render(
        request,
        "training/participation/mine.html",
        {
            "participants": [(p, selectors.summary_of(p)) for p in participants],
            "sessions": [(s, checkin.is_open(s, now)) for s in sessions],
            "surveys": list(selectors.outcomes_of_owner(user=user).order_by("-requested_at")),
        },
    )


@login_required
def session_checkin(request, pk: int):
    """The page a participant reaches by scanning the QR code (or opens to type the code)."""
    session = get_object_or_404(selectors.session_list(user=request.user), pk=pk)
    form = CheckinForm(request.POST or None, initial={"token": request.GET.get("token", "")})
    done = None
    if request.method == "POST" and form.is_valid():
        try:
            code = form.cleaned_data.get("code") or ""
            done = services.attendance_checkin(
                session=session,
                user=request.user,
                # A typed code wins over the link's token (which may have expired meanwhile).
                token="" if code else form.cleaned_data.get("token") or "",
                code=code,
            )
        except ApplicationError as exc:
            form.add_error("code", str(exc.message))
        else:
            messages.success(request, _("You are checked in. Welcome!"))
            return redirect("training:participation_mine")
    return render(
        request,
        "training/participation/checkin.html",
        {
            "session": session,
            "form": form,
            "done": done,
            "has_token": bool(request.GET.get("token")),
        },
    )


def _survey_for(request, pk: int) -> OutcomeSurvey:
    survey = get_object_or_404(
        selectors.outcome_list(user=request.user).select_related("application__enterprise__owner"),
        pk=pk,
    )
    return survey


@login_required
def outcome_answer(request, pk: int):
    survey = _survey_for(request, pk)
    user = request.user
    may_enter = can_enter_outcome(user, survey)
    editable = may_enter and (survey.status == OutcomeStatus.REQUESTED or is_office(user))
    form = OutcomeForm(request.POST or None, instance=survey) if editable else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.outcome_submit(survey=survey, actor=user, data=form.cleaned_data)
            except ApplicationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Thank you: the answers have been saved."))
                if is_office(user) and survey.application.enterprise.owner_id != user.pk:
                    return redirect("training:outcome_program", pk=survey.application.program_id)
                return redirect("training:participation_mine")
    return render(
        request,
        "training/participation/outcome_form.html",
        {
            "survey": survey,
            "form": form,
            "on_behalf": is_office(user) and survey.application.enterprise.owner_id != user.pk,
        },
    )


@login_required
def certificate_pdf(request, pk: int):
    certificate = get_object_or_404(
        certificates_visible_to(request.user).select_related("participant__program"), pk=pk
    )
    return certificate_response(certificate, inline=request.GET.get("inline") == "1")


# =============================================================================================
# Public: certificate verification and statistics
# =============================================================================================


def certificate_verify_form(request):
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        from .certificates import normalise_code

        code = normalise_code(form.cleaned_data["code"])
        if code:
            return redirect("participation_public:certificate_verify", code=code)
    return render(request, "training/participation/verify.html", {"form": form})


def certificate_verify(request, code: str):
    """Public: only whether the certificate is valid, the holder's name and the programme."""
    certificate = selectors.certificate_by_code(code)
    response = render(
        request,
        "training/participation/verify.html",
        {"form": VerifyForm(), "code": code, "certificate": certificate, "checked": True},
        status=200 if certificate else 404,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def public_statistics(request):
    stats = registry_stats(public=True)
    return render(request, "training/stats/public.html", {"stats": stats})


# =============================================================================================
# A programme's participation hub, sessions and attendance
# =============================================================================================


@login_required
def program_participation(request, pk: int):
    program = _program_for_staff(request, pk)
    sessions = list(
        Session.objects.filter(program=program)
        .select_related("stage", "track")
        .order_by("starts_at", "id")
    )
    counts = selectors.session_attendance_counts(sessions)
    data = funnel(program=program)
    return render(
        request,
        "training/participation/program.html",
        {
            "program": program,
            "sessions": [(s, counts.get(s.pk, {})) for s in sessions],
            "funnel": data,
            "rule": selectors.completion_rule_of(program),
            "can_manage_sessions": can_manage_sessions(request.user, program),
            "can_manage": can_manage_participants(request.user, program),
            "now": timezone.now(),
        },
    )


@login_required
def session_create(request, pk: int):
    program = _program_for_staff(request, pk)
    if not can_manage_sessions(request.user, program):
        raise Http404
    form = SessionForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                program=program, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The session has been scheduled."))
            return redirect("training:session_detail", pk=session.pk)
    return render(
        request, "training/participation/session_form.html", {"form": form, "program": program}
    )


@login_required
def session_edit(request, pk: int):
    session = _session_for_staff(request, pk)
    if not can_manage_sessions(request.user, session.program) or session.is_cancelled:
        raise Http404
    initial = {
        f: getattr(session, f)
        for f in (
            "title",
            "stage",
            "track",
            "place",
            "online_link",
            "facilitator",
            "hours",
            "description",
        )
    }
    initial["starts_at"] = timezone.localtime(session.starts_at)
    initial["ends_at"] = timezone.localtime(session.ends_at)
    form = SessionForm(request.POST or None, program=session.program, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=session, actor=request.user, data=form.cleaned_data)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The session has been saved."))
            return redirect("training:session_detail", pk=session.pk)
    return render(
        request,
        "training/participation/session_form.html",
        {"form": form, "program": session.program, "session": session},
    )


@login_required
def session_cancel(request, pk: int):
    session = _session_for_staff(request, pk)
    if not can_manage_sessions(request.user, session.program):
        raise Http404
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(
                session=session, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The session has been cancelled."))
            return redirect("training:session_detail", pk=session.pk)
    return render(
        request, "training/participation/session_cancel.html", {"form": form, "session": session}
    )


@login_required
def session_detail(request, pk: int):
    """The session and its attendance sheet: one row per participant, four big choices, one
    save button (phone first)."""
    session = _session_for_staff(request, pk)
    participants = list(selectors.sessions_expected_participants(session=session))
    current = dict(
        Attendance.objects.filter(session=session).values_list("participant_id", "status")
    )
    now = timezone.now()
    opens, _closes = checkin.checkin_window(session)
    default = AttendanceStatus.PRESENT if now >= opens and not current else ""
    form = AttendanceForm(
        request.POST or None, participants=participants, current=current, default=default
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_mark(session=session, marks=form.marks(), actor=request.user)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The attendance has been saved."))
            return redirect("training:session_detail", pk=session.pk)
    _log_partner_views(request, participants, AccessChannel.PAGE_LIST)
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    for status in current.values():
        counts[status] += 1
    return render(
        request,
        "training/participation/session_detail.html",
        {
            "session": session,
            "program": session.program,
            "form": form,
            "counts": counts,
            "unmarked": len([p for p in participants if p.pk not in current]),
            "checkin_open": checkin.is_open(session, now),
            "can_manage_sessions": can_manage_sessions(request.user, session.program),
            "history": activity_for(target=session)[:10],
        },
    )


@never_cache
@login_required
def session_qr(request, pk: int):
    """The screen shown at the session: the rotating QR code and its short code."""
    session = _session_for_staff(request, pk)
    return render(
        request,
        "training/participation/session_qr.html",
        {
            "session": session,
            "open": checkin.is_open(session, timezone.now()),
            **_qr_state(request, session),
        },
    )


def _qr_state(request, session) -> dict:
    now = timezone.now()
    token = checkin.token_for(session, now)
    link = request.build_absolute_uri(
        reverse("training:session_checkin", args=[session.pk]) + f"?token={token}"
    )
    return {
        "code": checkin.code_for(session, now),
        "link": link,
        "seconds_left": checkin.seconds_left(now),
        "step": checkin.step_at(now),
    }


@never_cache
@login_required
def session_qr_svg(request, pk: int):
    import segno

    session = _session_for_staff(request, pk)
    if not checkin.is_open(session, timezone.now()):
        raise Http404
    state = _qr_state(request, session)
    buffer = io.BytesIO()
    segno.make(state["link"], error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def session_qr_state(request, pk: int):
    session = _session_for_staff(request, pk)
    open_now = checkin.is_open(session, timezone.now())
    state = _qr_state(request, session) if open_now else {}
    return JsonResponse(
        {
            "open": open_now,
            "code": state.get("code", ""),
            "step": state.get("step"),
            "seconds_left": state.get("seconds_left"),
            "image": reverse("training:session_qr_svg", args=[session.pk])
            + f"?s={state.get('step', '')}",
        }
    )


# =============================================================================================
# Participants
# =============================================================================================


@login_required
def participant_list(request, pk: int):
    program = _program_for_staff(request, pk)
    qs = selectors.participant_list(user=request.user).filter(program=program)
    filterset = ParticipantFilterSet(request.GET or None, queryset=qs, program=program)
    results = filterset.qs.order_by("stage__order", "enterprise__name", "id")
    if request.GET.get("format") in ("csv", "xlsx"):
        rows = list(results)
        _log_partner_views(request, rows, AccessChannel.EXPORT)
        if is_office(request.user):
            training_services.data_export_record(
                user=request.user,
                application_ids=[p.application_id for p in rows],
                fmt=request.GET["format"],
                path=request.path,
            )
        return exports.participants_export(program, rows, request.GET["format"])
    page = _page(request, results, per_page=50)
    _log_partner_views(request, page.object_list, AccessChannel.PAGE_LIST)
    return render(
        request,
        "training/participation/participant_list.html",
        {
            "program": program,
            "filter": filterset,
            "page": page,
            "rows": [(p, selectors.summary_of(p)) for p in page.object_list],
            "count": page.paginator.count,
            "can_manage": can_manage_participants(request.user, program),
        },
    )


@login_required
def participants_complete(request, pk: int):
    program = _program_for_staff(request, pk)
    if request.method != "POST" or not can_manage_participants(request.user, program):
        raise Http404
    counts = services.participants_complete_eligible(program=program, actor=request.user)
    messages.success(
        request,
        _("%(completed)s participants completed; %(waiting)s do not meet the rule yet.") % counts,
    )
    return redirect("training:participant_list", pk=program.pk)


@login_required
def participant_detail(request, pk: int):
    participant = get_object_or_404(selectors.participant_list(user=request.user), pk=pk)
    user = request.user
    program = participant.program
    owner_view = participant.enterprise.owner_id == user.pk and not is_office(user)
    if not owner_view and not can_view_program_reports(user, program):
        raise Http404
    can_manage = can_manage_participants(user, program)
    status_form = ParticipantStatusForm(prefix="status")
    complete_form = CompleteForm(prefix="complete")
    revoke_form = ReasonForm(prefix="revoke")
    if request.method == "POST":
        if not can_manage:
            raise Http404
        action = request.POST.get("action")
        form = None
        try:
            if action == "status":
                form = status_form = ParticipantStatusForm(request.POST, prefix="status")
                if form.is_valid():
                    services.participant_transition(
                        participant=participant,
                        to=form.cleaned_data["to"],
                        actor=user,
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(request, _("The participant's status has been changed."))
                    return redirect("training:participant_detail", pk=participant.pk)
            elif action == "complete":
                form = complete_form = CompleteForm(request.POST, prefix="complete")
                if form.is_valid():
                    override = form.cleaned_data["override"]
                    if override and not can_override_completion(user):
                        raise Http404
                    services.participant_complete(
                        participant=participant,
                        actor=user,
                        override=override,
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(
                        request, _("The participant has completed; the certificate is issued.")
                    )
                    return redirect("training:participant_detail", pk=participant.pk)
            elif action == "revoke":
                form = revoke_form = ReasonForm(request.POST, prefix="revoke")
                if not can_revoke_certificate(user):
                    raise Http404
                if form.is_valid():
                    services.certificate_revoke(
                        certificate=participant.certificate,
                        actor=user,
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(request, _("The certificate has been revoked."))
                    return redirect("training:participant_detail", pk=participant.pk)
            else:
                raise Http404
        except ApplicationError as exc:
            form_error(form, exc)
    if not owner_view:
        _log_partner_views(request, [participant], AccessChannel.PAGE_DETAIL)
    marks = {
        a.session_id: a
        for a in Attendance.objects.filter(participant=participant).select_related("marked_by")
    }
    sessions = Session.objects.filter(stage_id=participant.stage_id).order_by("starts_at")
    if participant.track_id:
        sessions = sessions.filter(track__isnull=True) | sessions.filter(
            track_id=participant.track_id
        )
    else:
        sessions = sessions.filter(track__isnull=True)
    try:
        certificate = participant.certificate
    except Certificate.DoesNotExist:
        certificate = None
    allowed = PARTICIPANT_TRANSITIONS[participant.status]
    return render(
        request,
        "training/participation/participant_detail.html",
        {
            "participant": participant,
            "program": program,
            "summary": selectors.summary_of(participant),
            "sessions": [(s, marks.get(s.pk)) for s in sessions.order_by("starts_at")],
            "completion": services.completion_check(participant=participant),
            "certificate": certificate,
            "surveys": list(participant.application.outcome_surveys.order_by("requested_at")),
            "can_manage": can_manage,
            "can_override": can_override_completion(user),
            "can_revoke": can_revoke_certificate(user),
            "can_change_status": bool(allowed - {ParticipantStatus.COMPLETED}),
            "can_complete": ParticipantStatus.COMPLETED in allowed
            or participant.status in (ParticipantStatus.ENROLLED, ParticipantStatus.PAUSED),
            "status_form": status_form,
            "complete_form": complete_form,
            "revoke_form": revoke_form,
            "history": activity_for(target=participant)[:20] if not owner_view else [],
        },
    )


@login_required
def completion_rule_edit(request, pk: int):
    program = _program_for_staff(request, pk)
    if not can_manage_participants(request.user, program):
        raise Http404
    rule = selectors.completion_rule_of(program)
    form = CompletionRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.completion_rule_update(
                program=program, actor=request.user, data=form.cleaned_data
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The completion rule has been saved."))
            return redirect("training:program_participation", pk=program.pk)
    return render(
        request,
        "training/participation/completion_rule.html",
        {"form": form, "program": program},
    )


# =============================================================================================
# Outcomes and impact
# =============================================================================================


@login_required
def outcome_program(request, pk: int):
    """Response rates, who has not answered (to call or visit), and requesting surveys now."""
    program = _program_for_staff(request, pk)
    can_request = can_request_outcomes(request.user, program)
    form = OutcomeRequestForm(request.POST or None)
    if request.method == "POST":
        if not can_request:
            raise Http404
        if form.is_valid():
            try:
                count = services.outcomes_request_now(
                    program=program,
                    wave=form.cleaned_data["wave"],
                    who=form.cleaned_data["who"],
                    actor=request.user,
                )
            except ApplicationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("%(count)s surveys requested.") % {"count": count})
                return redirect("training:outcome_program", pk=program.pk)
    waiting = selectors.outcomes_waiting(program=program)
    if not is_office(request.user):
        waiting = waiting.filter(application__consent_share_with_partner=True)
    filterset = OutcomeFilterSet(request.GET or None, queryset=waiting)
    wave = request.GET.get("wave") if filterset.is_valid() else None
    page = _page(request, filterset.qs, per_page=50)
    return render(
        request,
        "training/participation/outcomes.html",
        {
            "program": program,
            "rates": selectors.outcome_response_rates(program=program),
            "page": page,
            "wave": wave,
            "waves": OutcomeWave.choices,
            "form": form,
            "can_request": can_request,
            "can_enter": is_office(request.user),
        },
    )


@login_required
def impact(request, pk: int):
    program = _program_for_staff(request, pk)
    after = request.GET.get("after") or OutcomeWave.ENDLINE
    report = impact_report(program=program, after=after)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return exports.impact_export(program, report, fmt)
    return render(
        request,
        "training/participation/impact.html",
        {
            "program": program,
            "report": report,
            "tables": exports.impact_tables(report),
            "print": request.GET.get("print") == "1",
            "after_choices": [
                (OutcomeWave.ENDLINE, OutcomeWave.ENDLINE.label),
                (OutcomeWave.FOLLOWUP, OutcomeWave.FOLLOWUP.label),
            ],
        },
    )


@login_required
def program_report(request, pk: int):
    """A programme's funnel, attendance and outcome response rates: charts and tables,
    printable, exportable to XLSX (the partner's CSR report)."""
    program = _program_for_staff(request, pk)
    data = funnel(program=program)
    attendance = session_attendance(program=program)
    if request.GET.get("format") == "xlsx":
        return exports.program_report_xlsx([(program, data, attendance)])
    return render(
        request,
        "training/participation/program_report.html",
        {
            "program": program,
            "funnel": data,
            "attendance": attendance,
            "print": request.GET.get("print") == "1",
        },
    )


# =============================================================================================
# Dashboards
# =============================================================================================


@login_required
def office_dashboard(request):
    if not can_view_office_dashboard(request.user):
        raise Http404
    from ikm_portal.notifications.selectors import notification_failed_count

    stats = registry_stats(public=False)
    programs = list(
        Program.objects.exclude(status="draft")
        .select_related("partner")
        .order_by("-starts_on", "-id")[:12]
    )
    funnels = [(p, funnel(program=p)) for p in programs]
    return render(
        request,
        "training/participation/office_dashboard.html",
        {
            "stats": stats,
            "funnels": funnels,
            "failed_notifications": notification_failed_count(),
        },
    )


@login_required
def partner_dashboard(request):
    membership = membership_of(request.user)
    if membership is None:
        raise Http404
    programs = list(
        Program.objects.filter(partner_id=membership.partner_id).order_by("-starts_on", "-id")
    )
    items = [(p, funnel(program=p), session_attendance(program=p)) for p in programs]
    if request.GET.get("format") == "xlsx":
        return exports.program_report_xlsx(items, partner=membership.partner)
    return render(
        request,
        "training/participation/partner_dashboard.html",
        {
            "partner": membership.partner,
            "items": items,
            "print": request.GET.get("print") == "1",
        },
    )
