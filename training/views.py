"""Pages for programmes, applications and the partner's home. They call the same services and
scoping functions as the API."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ikm_portal.core.exceptions import ApplicationError
from ikm_portal.core.selectors import activity_for
from partnerships.permissions import is_office, membership_of
from partnerships.views import _serve_file, form_error
from registry.models import Region

from . import selectors, services
from .choices import (
    BEFORE_DECISION,
    PROGRAM_ACTIONS,
    PROGRAM_TRANSITIONS,
    AccessChannel,
    ApplicationStatus,
    ProgramStatus,
    QuestionKind,
)
from .filtersets import ApplicationFilterSet, ProgramFilterSet
from .forms import (
    ApplicationForm,
    ApplyForm,
    BulkScreenForm,
    EligibilityForm,
    OptionalReasonForm,
    ProgramForm,
    QuestionFormSet,
    ReasonForm,
    ScreenForm,
    StageFormSet,
    TrackFormSet,
)
from .models import Answer, Program
from .permissions import (
    can_change_program_status,
    can_create_program,
    can_manage_program,
    can_screen,
    is_application_owner,
    is_partner_viewer,
    is_program_partner,
    shares_personal_data,
)

ACTION_TARGETS = {verb: target for target, verb in PROGRAM_ACTIONS.items()}


def _page(request, queryset, per_page: int = 25):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _program_for_management(request, pk: int) -> Program:
    program = get_object_or_404(selectors.program_list(user=request.user), pk=pk)
    if not can_manage_program(request.user, program):
        raise Http404
    return program


# =============================================================================================
# Programmes
# =============================================================================================


def program_list(request):
    qs = selectors.program_list(user=request.user).annotate(
        application_count=Count(
            "applications",
            filter=~Q(
                applications__status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN]
            ),
        )
    )
    filterset = ProgramFilterSet(request.GET or None, queryset=qs)
    page = _page(request, filterset.qs.order_by("-opens_at", "-id"))
    return render(
        request,
        "training/program_list.html",
        {
            "filter": filterset,
            "page": page,
            "count": page.paginator.count,
            "can_create": can_create_program(request.user),
            "now": timezone.now(),
        },
    )


def program_detail(request, pk: int):
    program = get_object_or_404(selectors.program_list(user=request.user), pk=pk)
    user = request.user
    rules = selectors.eligibility_rules_of(program)
    kecamatan_names = dict(
        Region.objects.filter(code__in=rules.kecamatan_codes or []).values_list("code", "name")
    )
    context = {
        "program": program,
        "rules": rules,
        "kecamatan_names": [kecamatan_names.get(c, c) for c in rules.kecamatan_codes or []],
        "can_manage": can_manage_program(user, program),
        "is_partner": is_program_partner(user, program),
        "window_open": program.window_is_open(),
        "actions": [],
        "history": [],
        "my_applications": [],
        "can_apply": False,
    }
    if context["can_manage"]:
        context["actions"] = [
            (PROGRAM_ACTIONS[target], ProgramStatus(target).label)
            for target in sorted(PROGRAM_TRANSITIONS[program.status])
            if can_change_program_status(user, program, target)
        ]
        context["history"] = activity_for(target=program)[:20]
    if user.is_authenticated:
        mine = list(selectors.applications_of_owner_for(user=user, program=program))
        context["my_applications"] = mine
        applied = {a.enterprise_id for a in mine}
        context["can_apply"] = context["window_open"] and any(
            e.pk not in applied for e in selectors.owner_enterprises(user=user)
        )
        context["owner_has_business"] = selectors.owner_enterprises(user=user).exists()
    return render(request, "training/program_detail.html", context)


@login_required
def program_create(request):
    if not can_create_program(request.user):
        raise Http404
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, _("The programme has been saved as a draft. Now add its tracks.")
            )
            return redirect("training:program_tracks", pk=program.pk)
    return render(request, "training/program_form.html", {"form": form})


@login_required
def program_edit(request, pk: int):
    program = _program_for_management(request, pk)
    office = is_office(request.user)
    form = ProgramForm(request.POST or None, instance=program, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(program=program, actor=request.user, data=form.cleaned_data)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The programme has been saved."))
            return redirect("training:program_detail", pk=program.pk)
    return render(request, "training/program_form.html", {"form": form, "program": program})


def _formset_rows(formset) -> list[dict]:
    return [
        f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def _formset_error(formset, exc: ApplicationError) -> None:
    errors = [str(e) for errs in exc.field_errors.values() for e in errs] or [str(exc.message)]
    formset._non_form_errors = formset.error_class(errors)


@login_required
def program_tracks(request, pk: int):
    program = _program_for_management(request, pk)
    initial = [
        {"id": t.pk, "name": t.name, "description": t.description, "seats": t.seats}
        for t in program.tracks.all()
    ]
    formset = TrackFormSet(request.POST or None, initial=initial, prefix="tracks")
    if request.method == "POST" and formset.is_valid():
        rows = [
            {k: r.get(k) for k in ("id", "name", "description", "seats")}
            for r in _formset_rows(formset)
        ]
        try:
            services.program_update(program=program, actor=request.user, tracks=rows)
        except ApplicationError as exc:
            _formset_error(formset, exc)
        else:
            messages.success(request, _("The tracks have been saved."))
            return redirect(_next_setup_step(request, program, "stages"))
    return render(
        request,
        "training/program_setup.html",
        {"program": program, "formset": formset, "step": "tracks"},
    )


@login_required
def program_stages(request, pk: int):
    program = _program_for_management(request, pk)
    initial = [
        {
            "name": s.name,
            "seats": s.seats,
            "response_deadline": s.response_deadline,
            "description": s.description,
        }
        for s in program.stages.all()
    ]
    formset = StageFormSet(request.POST or None, initial=initial, prefix="stages")
    if request.method == "POST" and formset.is_valid():
        rows = [
            {
                **{k: r.get(k) for k in ("name", "seats", "response_deadline", "description")},
                "order": i + 1,
            }
            for i, r in enumerate(_formset_rows(formset))
        ]
        try:
            services.program_update(program=program, actor=request.user, stages=rows)
        except ApplicationError as exc:
            _formset_error(formset, exc)
        else:
            messages.success(request, _("The selection stages have been saved."))
            return redirect(_next_setup_step(request, program, "eligibility"))
    return render(
        request,
        "training/program_setup.html",
        {"program": program, "formset": formset, "step": "stages"},
    )


@login_required
def program_eligibility(request, pk: int):
    program = _program_for_management(request, pk)
    rules = selectors.eligibility_rules_of(program)
    initial = {
        "size_classes": rules.size_classes,
        "kecamatan_codes": rules.kecamatan_codes,
        "kbli_divisions": ", ".join(rules.kbli_divisions or []),
        "min_years_operating": rules.min_years_operating,
        "require_nib": rules.require_nib,
        "exclude_running_participants": rules.exclude_running_participants,
    }
    form = EligibilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(
                program=program, actor=request.user, eligibility=form.cleaned_data
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The eligibility rules have been saved."))
            return redirect(_next_setup_step(request, program, "questions"))
    return render(
        request,
        "training/program_setup.html",
        {"program": program, "form": form, "step": "eligibility"},
    )


@login_required
def program_questions(request, pk: int):
    program = _program_for_management(request, pk)
    track_choices = [(t.pk, t.name) for t in program.tracks.all()]
    initial = [
        {
            "id": q.pk,
            "text": q.text,
            "help_text": q.help_text,
            "kind": q.kind,
            "options": "\n".join(q.options or []),
            "required": q.required,
            "track": q.track_id,
        }
        for q in program.questions.all()
    ]
    formset = QuestionFormSet(
        request.POST or None, initial=initial, prefix="questions", track_choices=track_choices
    )
    if request.method == "POST" and formset.is_valid():
        rows = [
            {
                k: r.get(k)
                for k in ("id", "text", "help_text", "kind", "options", "required", "track")
            }
            for r in _formset_rows(formset)
        ]
        try:
            services.program_update(program=program, actor=request.user, questions=rows)
        except ApplicationError as exc:
            _formset_error(formset, exc)
        else:
            messages.success(request, _("The questions have been saved."))
            if request.POST.get("next") == "stay":
                return redirect(request.path)
            return redirect("training:program_detail", pk=program.pk)
    return render(
        request,
        "training/program_setup.html",
        {"program": program, "formset": formset, "step": "questions"},
    )


def _next_setup_step(request, program, step: str) -> str:
    from django.urls import reverse

    if request.POST.get("next") == "stay":
        return request.path
    return reverse(f"training:program_{step}", args=[program.pk])


@login_required
def program_status(request, pk: int, action: str):
    """Open, close, start, complete or cancel. Cancelling asks for a reason first."""
    program = get_object_or_404(selectors.program_list(user=request.user), pk=pk)
    target = ACTION_TARGETS.get(action)
    if target is None or not can_change_program_status(request.user, program, target):
        raise Http404
    form = ReasonForm(request.POST or None) if target == ProgramStatus.CANCELLED else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            services.program_transition(
                program=program,
                to=target,
                actor=request.user,
                reason=form.cleaned_data["reason"] if form else "",
            )
        except ApplicationError as exc:
            if form is not None:
                form_error(form, exc)
            else:
                messages.error(request, str(exc.message))
                for errors in exc.field_errors.values():
                    for error in errors[1:] if len(exc.field_errors) == 1 else errors:
                        messages.error(request, str(error))
                return redirect("training:program_detail", pk=program.pk)
        else:
            messages.success(
                request,
                _("The programme is now: %(status)s.") % {"status": ProgramStatus(target).label},
            )
            return redirect("training:program_detail", pk=program.pk)
    if request.method == "POST" and form is None:
        return redirect("training:program_detail", pk=program.pk)
    return render(
        request, "training/program_cancel.html", {"program": program, "form": form or ReasonForm()}
    )


# =============================================================================================
# Applications: the office's and the partner's lists
# =============================================================================================


def _program_for_applications(request, pk: int) -> Program:
    program = get_object_or_404(selectors.program_list(user=request.user), pk=pk)
    if not (is_office(request.user) or is_program_partner(request.user, program)):
        raise Http404
    return program


@login_required
def program_applications(request, pk: int):
    program = _program_for_applications(request, pk)
    user = request.user
    qs = selectors.application_list(user=user).filter(program=program)
    if not is_office(user):
        qs = qs.exclude(enterprise__owner=user)
    filterset = ApplicationFilterSet(request.GET or None, queryset=qs, program=program)
    sort = request.GET.get("sort", "submitted")
    results = filterset.qs.order_by(*APPLICATION_SORTS.get(sort, APPLICATION_SORTS["submitted"]))
    bulk_form = None
    if can_screen(user):
        if request.method == "POST":
            bulk_form = BulkScreenForm(
                request.POST, application_ids=results.values_list("pk", flat=True)
            )
            if bulk_form.is_valid():
                chosen = list(results.filter(pk__in=bulk_form.cleaned_data["ids"]))
                try:
                    counts = services.applications_bulk_screen(
                        actor=user,
                        applications=chosen,
                        action=bulk_form.cleaned_data["action"],
                        reason=bulk_form.cleaned_data["reason"],
                    )
                except ApplicationError as exc:
                    form_error(bulk_form, exc)
                else:
                    messages.success(
                        request,
                        _("%(changed)s applications changed, %(skipped)s left as they were.")
                        % counts,
                    )
                    return redirect(request.get_full_path())
        else:
            bulk_form = BulkScreenForm()
    elif request.method == "POST":
        raise Http404
    page = _page(request, results, per_page=50)
    if is_program_partner(user, program) and not is_office(user):
        services.data_access_record(
            user=user,
            applications=page.object_list,
            channel=AccessChannel.PAGE_LIST,
            path=request.get_full_path(),
        )
    status_counts = dict(
        qs.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return render(
        request,
        "training/program_applications.html",
        {
            "program": program,
            "filter": filterset,
            "page": page,
            "count": page.paginator.count,
            "bulk_form": bulk_form,
            "is_office": is_office(user),
            "sort": sort if sort in APPLICATION_SORTS else "submitted",
            "sort_labels": SORT_LABELS,
            "status_counts": [
                (s, ApplicationStatus(s).label, status_counts.get(s, 0))
                for s in ApplicationStatus.values
                if status_counts.get(s)
            ],
        },
    )


# Drafts (not submitted yet) come last whichever way the submission time is sorted.
APPLICATION_SORTS = {
    "submitted": (F("submitted_at").asc(nulls_last=True), "id"),
    "-submitted": (F("submitted_at").desc(nulls_last=True), "-id"),
    "name": ("enterprise__name", "id"),
    "status": ("status", F("submitted_at").asc(nulls_last=True), "id"),
}
SORT_LABELS = [
    ("submitted", _lazy("Oldest submission first")),
    ("-submitted", _lazy("Newest submission first")),
    ("name", _lazy("Business name")),
    ("status", _lazy("Status")),
]

EXPORT_COLUMNS = [
    ("id", "ID"),
    ("status", "Status"),
    ("submitted_at", "Diajukan"),
    ("business_name", "Nama Usaha"),
    ("owner_name", "Nama Pemilik"),
    ("owner_nik", "NIK"),
    ("owner_gender", "Jenis Kelamin"),
    ("phone", "Telepon"),
    ("kelurahan", "Kelurahan"),
    ("kecamatan", "Kecamatan"),
    ("size_class", "Kelas Industri"),
    ("workers_total", "Tenaga Kerja"),
    ("track_1", "Pilihan 1"),
    ("track_2", "Pilihan 2"),
    ("track_3", "Pilihan 3"),
    ("eligibility_ok", "Memenuhi Syarat"),
    ("eligibility_failed", "Syarat Tidak Terpenuhi"),
    ("consent", "Persetujuan Berbagi Data"),
]


def _neutralise(value) -> str:
    """Cells that a spreadsheet would read as a formula are prefixed with an apostrophe."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _export_rows(applications):
    for a in applications:
        shared = selectors.application_shared_data(application=a)
        tracks = [c.track.name for c in a.track_choices.all()]
        yield {
            "id": a.pk,
            "status": ApplicationStatus(a.status).label,
            "submitted_at": timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M")
            if a.submitted_at
            else "",
            **{
                k: shared[k]
                for k in (
                    "business_name",
                    "owner_name",
                    "owner_nik",
                    "owner_gender",
                    "phone",
                    "kelurahan",
                    "kecamatan",
                    "size_class",
                    "workers_total",
                )
            },
            "track_1": tracks[0] if len(tracks) > 0 else "",
            "track_2": tracks[1] if len(tracks) > 1 else "",
            "track_3": tracks[2] if len(tracks) > 2 else "",
            "eligibility_ok": {True: "ya", False: "tidak", None: ""}[a.eligibility_ok],
            "eligibility_failed": "; ".join(r["reason"] for r in a.eligibility if not r["ok"]),
            "consent": "ya" if a.consent_share_with_partner else "tidak",
        }


@login_required
def program_applications_export(request, pk: int):
    """The filtered list as CSV or XLSX, for the office. NIK is masked; formulas neutralised."""
    program = _program_for_applications(request, pk)
    if not is_office(request.user):
        raise Http404
    qs = (
        selectors.application_list(user=request.user)
        .filter(program=program)
        .prefetch_related("enterprise__products")
    )
    filterset = ApplicationFilterSet(request.GET or None, queryset=qs, program=program)
    applications = list(filterset.qs.order_by(*APPLICATION_SORTS["submitted"]))
    fmt = request.GET.get("format", "csv")
    services.data_export_record(
        user=request.user,
        application_ids=[a.pk for a in applications],
        fmt=fmt,
        path=request.path,
    )
    rows = list(_export_rows(applications))
    filename = f"pendaftar-program-{program.pk}-{timezone.localdate():%Y%m%d}"
    headers = [label for _key, label in EXPORT_COLUMNS]
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Pendaftar"
        sheet.append(headers)
        for row in rows:
            sheet.append([_neutralise(row[key]) for key, _label in EXPORT_COLUMNS])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_neutralise(row[key]) for key, _label in EXPORT_COLUMNS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


# =============================================================================================
# Applications: the owner's journey
# =============================================================================================


@login_required
def apply(request, pk: int):
    program = get_object_or_404(selectors.program_list(user=request.user), pk=pk)
    applied = selectors.applications_of_owner_for(user=request.user, program=program).values(
        "enterprise_id"
    )
    enterprises = selectors.owner_enterprises(user=request.user).exclude(pk__in=applied)
    if not program.window_is_open():
        messages.error(request, _("Applications for this programme are closed."))
        return redirect("training:program_detail", pk=program.pk)
    form = ApplyForm(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                actor=request.user, program=program, enterprise=form.cleaned_data["enterprise"]
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Your draft application has been created."))
            return redirect("training:application_edit", pk=application.pk)
    return render(
        request,
        "training/apply.html",
        {"program": program, "form": form, "has_enterprises": enterprises.exists()},
    )


@login_required
def my_applications(request):
    qs = selectors.application_list(user=request.user).filter(enterprise__owner=request.user)
    page = _page(request, qs.order_by("-created_at"))
    return render(request, "training/my_applications.html", {"page": page})


def _application_for(request, pk: int):
    return get_object_or_404(selectors.application_list(user=request.user), pk=pk)


@login_required
def application_detail(request, pk: int):
    application = _application_for(request, pk)
    user = request.user
    owner = is_application_owner(user, application)
    partner_view = is_partner_viewer(user, application)
    if partner_view:
        services.data_access_record(
            user=user,
            applications=[application],
            channel=AccessChannel.PAGE_DETAIL,
            path=request.get_full_path(),
        )
    track_ids = [c.track_id for c in application.track_choices.all()]
    questions = selectors.questions_for(program=application.program, track_ids=track_ids)
    answers = {a.question_id: a for a in application.answers.all()}
    context = {
        "application": application,
        "program": application.program,
        "shared": selectors.application_shared_data(application=application, viewer=user),
        "qa": [(q, answers.get(q.pk)) for q in questions],
        "is_owner": owner,
        "is_office": is_office(user),
        "partner_view": partner_view,
        "can_edit": owner and application.status == ApplicationStatus.DRAFT,
        "can_withdraw": (owner or is_office(user)) and application.status in BEFORE_DECISION,
        "can_screen": can_screen(user)
        and application.status
        in (ApplicationStatus.SUBMITTED, ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE),
        "can_start_review": can_screen(user) and application.status == ApplicationStatus.ELIGIBLE,
        "screen_form": ScreenForm(),
        "history": _history(application) if (owner or is_office(user)) else [],
        "access": selectors.data_access_summary_for_owner(application=application)
        if owner or is_office(user)
        else None,
    }
    return render(request, "training/application_detail.html", context)


HISTORY_LABELS = {
    "application.created": _lazy("Draft started"),
    "application.consent_given": _lazy("Consent to share with the partner given"),
    "application.consent_withdrawn": _lazy("Consent to share with the partner withdrawn"),
}


def _history(application) -> list[dict]:
    """The application's history in words: what happened, when, by whom, why."""
    rows = []
    for entry in activity_for(target=application)[:30]:
        if entry.action in HISTORY_LABELS:
            label = HISTORY_LABELS[entry.action]
        elif entry.to_state in ApplicationStatus.values:
            label = ApplicationStatus(entry.to_state).label
        else:
            label = entry.action
        rows.append(
            {"at": entry.created_at, "actor": entry.actor, "label": label, "reason": entry.reason}
        )
    return rows


@login_required
def application_edit(request, pk: int):
    application = _application_for(request, pk)
    if not is_application_owner(request.user, application):
        raise Http404
    if application.status != ApplicationStatus.DRAFT:
        messages.info(
            request, _("This application has been submitted and can no longer be changed.")
        )
        return redirect("training:application_detail", pk=application.pk)
    chosen = [c.track_id for c in application.track_choices.all()]
    if request.method == "POST":
        # The questions shown depend on the tracks being chosen now.
        posted = [request.POST.get(f"track_{i}") for i in (1, 2, 3)]
        chosen = [int(t) for t in posted if t and t.isdigit()]
    questions = selectors.questions_for(program=application.program, track_ids=chosen)
    form = ApplicationForm(
        request.POST or None, request.FILES or None, application=application, questions=questions
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                application=application,
                actor=request.user,
                track_choices=form.cleaned_data["track_choices"],
                answers=form.cleaned_data["answers"],
                consent_share_with_partner=form.cleaned_data.get("consent_share_with_partner")
                if application.program.partner_id
                else None,
            )
            for question, upload in form.file_uploads():
                services.application_upload_file(
                    application=application, actor=request.user, question=question, upload=upload
                )
        except ApplicationError as exc:
            _application_form_error(form, exc)
        else:
            if request.POST.get("next") == "review":
                return redirect("training:application_submit", pk=application.pk)
            messages.success(request, _("Your draft has been saved."))
            return redirect("training:application_edit", pk=application.pk)
    application.refresh_from_db()
    return render(
        request,
        "training/application_form.html",
        {"application": application, "program": application.program, "form": form},
    )


def _application_form_error(form, exc: ApplicationError) -> None:
    for field, errors in exc.field_errors.items():
        target = {
            "track_choices": "track_1",
            "consent_share_with_partner": "consent_share_with_partner",
        }.get(field)
        for error in errors:
            form.add_error(target if target in form.fields else None, str(error))
    if not exc.field_errors:
        form.add_error(None, str(exc.message))


@login_required
def application_submit(request, pk: int):
    """The review step: the eligibility result with its reasons, what is missing, and the
    submit button."""
    application = _application_for(request, pk)
    if not is_application_owner(request.user, application):
        raise Http404
    if application.status != ApplicationStatus.DRAFT:
        return redirect("training:application_detail", pk=application.pk)
    if request.method == "POST":
        try:
            services.application_submit(application=application, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            for errors in exc.field_errors.values():
                for error in errors:
                    if str(error) != str(exc.message):
                        messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "Your application has been submitted. We check the eligibility rules now and "
                    "tell you the result."
                ),
            )
            return redirect("training:application_detail", pk=application.pk)
    results = selectors.eligibility_check(
        program=application.program, enterprise=application.enterprise
    )
    missing = services.application_check_submittable(application)
    return render(
        request,
        "training/application_submit.html",
        {
            "application": application,
            "program": application.program,
            "results": results,
            "all_ok": all(r.ok for r in results),
            "missing": [str(e) for errs in missing.values() for e in errs],
            "window_open": application.program.window_is_open(),
            "tracks": [c.track for c in application.track_choices.all()],
        },
    )


@login_required
def application_withdraw(request, pk: int):
    application = _application_for(request, pk)
    if not (is_application_owner(request.user, application) or is_office(request.user)):
        raise Http404
    form = OptionalReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                application=application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The application has been withdrawn."))
        return redirect("training:application_detail", pk=application.pk)
    return render(
        request, "training/application_withdraw.html", {"application": application, "form": form}
    )


@login_required
@require_POST
def application_consent_withdraw(request, pk: int):
    application = _application_for(request, pk)
    if not is_application_owner(request.user, application):
        raise Http404
    try:
        services.application_update(
            application=application, actor=request.user, consent_share_with_partner=False
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Your consent has been withdrawn; the partner no longer sees your personal data."),
        )
    return redirect("training:application_detail", pk=application.pk)


@login_required
@require_POST
def application_screen(request, pk: int):
    application = _application_for(request, pk)
    if not can_screen(request.user):
        raise Http404
    form = ScreenForm(request.POST)
    if form.is_valid():
        try:
            services.application_screen(
                application=application,
                actor=request.user,
                eligible=form.cleaned_data["eligible"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The screening decision has been recorded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("training:application_detail", pk=application.pk)


@login_required
@require_POST
def application_start_review(request, pk: int):
    application = _application_for(request, pk)
    if not can_screen(request.user):
        raise Http404
    try:
        services.application_start_review(application=application, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The application is now in review."))
    return redirect("training:application_detail", pk=application.pk)


@login_required
def answer_file(request, pk: int, question_id: int):
    application = _application_for(request, pk)
    answer = get_object_or_404(
        Answer.objects.select_related("question"),
        application=application,
        question_id=question_id,
        question__kind=QuestionKind.FILE,
    )
    if not answer.file or not shares_personal_data(request.user, application):
        # Documents may carry personal data: not for the partner once consent is withdrawn.
        raise Http404
    if is_partner_viewer(request.user, application):
        services.data_access_record(
            user=request.user,
            applications=[application],
            channel=AccessChannel.FILE,
            path=request.get_full_path(),
        )
    return _serve_file(
        answer.file, download_name=answer.file_name or "lampiran", as_attachment=True
    )


# =============================================================================================
# The partner's home and the access log
# =============================================================================================


@login_required
def partner_home(request):
    if membership_of(request.user) is None:
        raise Http404
    return render(request, "training/partner_home.html", selectors.partner_home(user=request.user))
