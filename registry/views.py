"""Registry pages. Each view scopes with the selectors (``enterprises_visible_to``) and writes
through the services the API calls; service errors become translated form errors or messages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ikm_portal.core.crypto import keyed_hash
from ikm_portal.core.exceptions import ApplicationError
from ikm_portal.core.pagination import LargePaginator
from ikm_portal.core.uploads import serve_upload
from ikm_portal.datarights.choices import AccessChannel
from ikm_portal.datarights.forms import UnmaskForm
from ikm_portal.datarights.permissions import can_read_log
from ikm_portal.datarights.selectors import record_key

from . import forms, selectors, services
from .choices import (
    ENTERPRISE_TRANSITIONS,
    OWNER_EDITABLE_STATUSES,
    ChangeRequestStatus,
    ClaimStatus,
    EnterpriseStatus,
    ImportStatus,
    RegistrationSource,
)
from .filtersets import EnterpriseFilterSet, division_choices, tally_filters
from .models import (
    ChangeRequest,
    Document,
    DuplicateFlag,
    Enterprise,
    EnterpriseClaim,
    FacilitationRecord,
    ImportJob,
    Region,
    Sentra,
    mask_nik,
)
from .permissions import (
    can_edit,
    can_unmask_nik,
    is_office,
    require_office,
    require_registry_user,
    sees_full_nik,
)
from .services import exports, imports
from .services.enterprise import proposed_nik
from .services.records import (
    document_add,
    document_delete,
    facilitation_create,
    facilitation_update,
    sentra_save,
)

STEPS = (
    ("owner", gettext_lazy("Owner")),
    ("business", gettext_lazy("Business")),
    ("location", gettext_lazy("Location")),
    ("workforce", gettext_lazy("Workforce and money")),
    ("products", gettext_lazy("Products")),
)
STEP_SLUGS = [slug for slug, _label in STEPS]

ACTIONS = {
    "verify": (EnterpriseStatus.VERIFIED, gettext_lazy("Verify")),
    "request-revision": (EnterpriseStatus.NEEDS_REVISION, gettext_lazy("Ask for a revision")),
    "reject": (EnterpriseStatus.REJECTED, gettext_lazy("Reject")),
    "archive": (EnterpriseStatus.ARCHIVED, gettext_lazy("Archive")),
}
ACTION_OF_STATUS = {status: slug for slug, (status, _label) in ACTIONS.items()}


def _apply_errors(exc: ApplicationError, *forms_) -> None:
    """Put a service's field errors on the form that has the field (else on the first form)."""
    placed = False
    for field, errors in exc.field_errors.items():
        for form in forms_:
            if form is not None and field in getattr(form, "fields", {}):
                form.add_error(field, errors)
                placed = True
                break
        else:
            if forms_ and forms_[0] is not None:
                forms_[0].add_error(None, errors)
                placed = True
    if not placed and forms_ and forms_[0] is not None:
        forms_[0].add_error(None, str(exc.message))


def _allowed_actions(enterprise: Enterprise, user) -> list[tuple[str, str]]:
    if not (is_office(user) and user.has_perm("registry.verify_enterprise")):
        return []
    allowed = ENTERPRISE_TRANSITIONS.get(enterprise.status, frozenset())
    return [(slug, label) for slug, (status, label) in ACTIONS.items() if status in allowed]


# --- Owner: my businesses, registration steps, review, status --------------------------------


@login_required
def mine(request):
    require_registry_user(request.user)
    if is_office(request.user):
        return redirect("registry:queue")
    enterprises = selectors.owner_enterprises(user=request.user).prefetch_related("change_requests")
    claims = EnterpriseClaim.objects.filter(user=request.user).select_related("enterprise")
    return render(
        request,
        "registry/mine.html",
        {"enterprises": enterprises, "claims": claims, "steps": STEPS},
    )


def _step_context(request, enterprise, step, **extra):
    index = STEP_SLUGS.index(step)
    context = {
        "enterprise": enterprise,
        "step": step,
        "step_index": index + 1,
        "steps": STEPS,
        "step_label": STEPS[index][1],
        "reached": (enterprise.draft_step if enterprise else 0),
        "walk_in": (enterprise is None and is_office(request.user))
        or (enterprise is not None and enterprise.owner_id is None),
        "kelurahan_options_url": reverse("registry:kelurahan_options"),
    }
    context.update(extra)
    return context


def _next_url(enterprise: Enterprise, step: str, request) -> str:
    if "save_draft" in request.POST:
        return reverse("registry:detail", args=[enterprise.pk])
    index = STEP_SLUGS.index(step)
    if index + 1 < len(STEP_SLUGS):
        return reverse("registry:step", args=[enterprise.pk, STEP_SLUGS[index + 1]])
    return reverse("registry:review", args=[enterprise.pk])


@login_required
def register_new(request):
    """The first step of a new registration (owner), or a walk-in registration by staff."""
    require_registry_user(request.user)
    office = is_office(request.user)
    if office and not request.user.has_perm("registry.add_enterprise"):
        raise PermissionDenied
    initial = {}
    if not office:
        initial = {
            "owner_name": request.user.full_name,
            "phone": request.user.phone,
            "email": request.user.email,
        }
    form = forms.OwnerForm(request.POST or None, initial=initial, walk_in=office)
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data.get("owner_account") if office else request.user
        source = form.cleaned_data.get("source") if office else RegistrationSource.ONLINE
        try:
            enterprise = services.enterprise_create(
                actor=request.user,
                owner=owner,
                data=form.service_data(),
                source=source,
                consent=form.cleaned_data["consent"],
                draft_step=1,
            )
        except ApplicationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("Draft saved."))
            return redirect(_next_url(enterprise, "owner", request))
    return render(request, "registry/step.html", _step_context(request, None, "owner", form=form))


@login_required
def register_step(request, pk, step):
    require_registry_user(request.user)
    if step not in STEP_SLUGS:
        raise Http404
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    if not can_edit(request.user, enterprise):
        if (
            enterprise.status == EnterpriseStatus.VERIFIED
            and enterprise.owner_id == request.user.pk
        ):
            messages.info(request, _("This business is verified: propose your changes here."))
            return redirect("registry:change_request_new", pk=enterprise.pk)
        messages.error(request, _("This business cannot be changed now."))
        return redirect("registry:detail", pk=enterprise.pk)
    data = request.POST if request.method == "POST" else None
    files = {}
    if step == "products":
        products = forms.ProductFormSet(
            data, prefix="products", initial=forms.product_initial(enterprise)
        )
        certifications = forms.CertificationFormSet(
            data, prefix="certs", initial=forms.certification_initial(enterprise)
        )
        if request.method == "POST" and products.is_valid() and certifications.is_valid():
            try:
                enterprise = services.enterprise_update(
                    enterprise=enterprise,
                    actor=request.user,
                    data={},
                    products=products.service_data(),
                    certifications=certifications.service_data(),
                    draft_step=5,
                )
            except ApplicationError as exc:
                products._non_form_errors = products.error_class(
                    [str(m) for errors in exc.field_errors.values() for m in errors]
                    or [str(exc.message)]
                )
            else:
                messages.success(request, _("Saved."))
                return redirect(_next_url(enterprise, step, request))
        files = {"products": products, "certifications": certifications}
        return render(
            request, "registry/step.html", _step_context(request, enterprise, step, **files)
        )

    form_class = forms.STEP_FORMS[step]
    kwargs = {"initial": form_class.initial_from(enterprise)}
    if step == "owner":
        kwargs["consent_given"] = bool(enterprise.consent_at)
        kwargs["walk_in"] = False
        if not sees_full_nik(request.user, enterprise):
            kwargs["keep_nik"] = enterprise.owner_nik
    if step == "workforce":
        kwargs["show_unspecified"] = is_office(request.user) or bool(enterprise.workers_unspecified)
    form = form_class(data, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_update(
                enterprise=enterprise,
                actor=request.user,
                data=form.service_data(),
                draft_step=STEP_SLUGS.index(step) + 1,
                consent=bool(form.cleaned_data.get("consent")),
            )
        except ApplicationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect(_next_url(enterprise, step, request))
    return render(
        request, "registry/step.html", _step_context(request, enterprise, step, form=form)
    )


@login_required
def register_resume(request, pk):
    """Back to the first step not yet saved (or the review when all are)."""
    require_registry_user(request.user)
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    if enterprise.draft_step < len(STEP_SLUGS):
        return redirect("registry:step", pk=pk, step=STEP_SLUGS[enterprise.draft_step])
    return redirect("registry:review", pk=pk)


@login_required
def review(request, pk):
    require_registry_user(request.user)
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    missing = services.enterprise_missing(enterprise)
    if request.method == "POST":
        try:
            services.enterprise_submit(enterprise=enterprise, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            missing = exc.field_errors or missing
        else:
            messages.success(
                request,
                _("Thank you. Your registration was submitted; the office will check it."),
            )
            return redirect("registry:detail", pk=pk)
    can_submit = enterprise.status in OWNER_EDITABLE_STATUSES and can_edit(request.user, enterprise)
    return render(
        request,
        "registry/review.html",
        {
            "enterprise": enterprise,
            "missing": missing,
            "can_submit": can_submit,
            "steps": STEPS,
            "nik": _nik_for(request.user, enterprise),
        },
    )


def _nik_for(user, enterprise) -> str:
    return (
        enterprise.owner_nik if sees_full_nik(user, enterprise) else mask_nik(enterprise.owner_nik)
    )


@login_required
def detail(request, pk, *, unmasked_nik: str = "", unmask_form=None):
    require_registry_user(request.user)
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    context = {
        "enterprise": enterprise,
        "nik": unmasked_nik or _nik_for(request.user, enterprise),
        "steps": STEPS,
        "can_edit": can_edit(request.user, enterprise),
        "decisions": selectors.decisions_for(enterprise=enterprise)[:50],
        "documents": enterprise.documents.select_related("uploaded_by"),
        "document_form": forms.DocumentForm(),
        "facilitations": enterprise.facilitations.select_related("recorded_by"),
        "change_requests": enterprise.change_requests.select_related("requested_by")[:10],
    }
    if not is_office(request.user):
        return render(request, "registry/status.html", context)
    context.update(
        {
            "actions": _allowed_actions(enterprise, request.user),
            "duplicates": selectors.duplicates_for(enterprise=enterprise),
            "history": selectors.history_for(enterprise=enterprise, user=request.user)[:200],
            "panels": selectors.enterprise_panels(enterprise=enterprise, request=request),
            "facilitation_form": forms.FacilitationForm(),
            "claims": enterprise.claims.select_related("user"),
            "nik_unmasked": bool(unmasked_nik),
            "can_unmask": can_unmask_nik(request.user) and bool(enterprise.owner_nik),
            "unmask_form": unmask_form or UnmaskForm(),
            "access_log_url": _access_log_url(request.user, enterprise),
        }
    )
    return render(request, "registry/detail.html", context)


def _access_log_url(user, enterprise) -> str:
    """The personal-data access log of this business (and of its owner's account)."""
    if not can_read_log(user):
        return ""
    query = {"record": record_key(enterprise)}
    return reverse("datarights:access_log") + "?" + urlencode(query)


@login_required
def nik_unmask(request, pk):
    """Show one full NIK to an office user holding registry.unmask_nik, with a reason that the
    personal-data access log records (who, whose, when, why). POST only; the NIK is shown on
    this response and never put in a URL."""
    if request.method != "POST":
        return redirect("registry:detail", pk=pk)
    require_office(request.user)
    if not can_unmask_nik(request.user):
        raise PermissionDenied
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    form = UnmaskForm(request.POST)
    if not form.is_valid():
        return detail(request, pk, unmask_form=form)
    try:
        nik = services.enterprise_nik_unmask(
            enterprise=enterprise,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            channel=AccessChannel.PAGE_DETAIL,
            path=request.path,
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("registry:detail", pk=pk)
    response = detail(request, pk, unmasked_nik=nik)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def kelurahan_options(request):
    """htmx: the <option>s of the kelurahan of one kecamatan (all when none is chosen)."""
    require_registry_user(request.user)
    kecamatan = request.GET.get("kecamatan") or request.GET.get("location-kecamatan") or ""
    choices = forms._kelurahan_choices(kecamatan or None)[1:]
    groups = [("", choices)] if kecamatan else choices
    return render(request, "registry/partials/kelurahan_options.html", {"groups": groups})


# --- Change requests ------------------------------------------------------------------------


@login_required
def change_request_new(request, pk):
    require_registry_user(request.user)
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    if enterprise.status != EnterpriseStatus.VERIFIED:
        return redirect("registry:detail", pk=pk)
    if enterprise.change_requests.filter(status=ChangeRequestStatus.PENDING).exists():
        messages.info(request, _("A change request is already waiting for the office."))
        return redirect("registry:detail", pk=pk)
    data = request.POST if request.method == "POST" else None
    sections = [
        forms.OwnerForm(
            data,
            prefix="owner",
            initial=forms.OwnerForm.initial_from(enterprise),
            consent_given=True,
        ),
        forms.BusinessForm(
            data, prefix="business", initial=forms.BusinessForm.initial_from(enterprise)
        ),
        forms.LocationForm(
            data, prefix="location", initial=forms.LocationForm.initial_from(enterprise)
        ),
        forms.WorkforceForm(
            data,
            prefix="workforce",
            initial=forms.WorkforceForm.initial_from(enterprise),
            show_unspecified=bool(enterprise.workers_unspecified),
        ),
    ]
    products = forms.ProductFormSet(
        data, prefix="products", initial=forms.product_initial(enterprise)
    )
    note = forms.ReasonForm(data, prefix="cr", required=False)
    if request.method == "POST" and all(f.is_valid() for f in [*sections, products, note]):
        payload = {}
        for form in sections:
            payload.update(form.service_data())
        product_data = [
            {
                k: p[k]
                for k in (
                    "kbli",
                    "name",
                    "capacity_per_year",
                    "capacity_unit",
                    "raw_materials",
                    "marketing_reach",
                )
            }
            for p in products.service_data()
        ]
        try:
            services.change_request_create(
                enterprise=enterprise,
                actor=request.user,
                data=payload,
                products=product_data,
                note=note.cleaned_data.get("reason", ""),
            )
        except ApplicationError as exc:
            _apply_errors(exc, *sections)
        else:
            messages.success(
                request,
                _(
                    "Your change request was sent. The verified data stays until the office approves."
                ),
            )
            return redirect("registry:detail", pk=pk)
    return render(
        request,
        "registry/change_request_form.html",
        {
            "enterprise": enterprise,
            "sections": sections,
            "products": products,
            "note": note,
            "kelurahan_options_url": reverse("registry:kelurahan_options"),
        },
    )


def _change_rows(change_request: ChangeRequest) -> list[dict]:
    from .models import Kbli

    enterprise = change_request.enterprise
    rows = []
    for field, value in change_request.data.items():
        if field == "products":
            kblis = Kbli.objects.in_bulk([p["kbli"] for p in value])
            proposed = "; ".join(
                f"{kblis[p['kbli']].code if p['kbli'] in kblis else '?'} {p['name']}" for p in value
            )
            current = "; ".join(f"{p.kbli_code} {p.name}" for p in enterprise.products.all())
            rows.append({"label": _("Products"), "current": current, "proposed": proposed})
            continue
        label = Enterprise._meta.get_field(field).verbose_name
        current = getattr(enterprise, field)
        if field == "owner_nik":
            current, value = mask_nik(current), mask_nik(proposed_nik(value))
        elif field == "kelurahan":
            current = enterprise.kelurahan.name if enterprise.kelurahan_id else ""
            value = Region.objects.filter(pk=value).values_list("name", flat=True).first() or value
        elif field == "sentra":
            current = enterprise.sentra.name if enterprise.sentra_id else ""
            value = Sentra.objects.filter(pk=value).values_list("name", flat=True).first() or ""
        rows.append({"label": label, "current": current, "proposed": value})
    return rows


@login_required
def change_requests(request):
    require_office(request.user, "registry.view_changerequest")
    page = Paginator(selectors.pending_change_requests(), 25).get_page(request.GET.get("page"))
    return render(request, "registry/change_requests.html", {"page": page})


@login_required
def change_request_detail(request, cr_pk):
    require_registry_user(request.user)
    change_request = get_object_or_404(
        ChangeRequest.objects.select_related("enterprise", "requested_by"), pk=cr_pk
    )
    # The same gate as the business itself: a 404 for those who may not see it.
    selectors.enterprise_get(user=request.user, pk=change_request.enterprise_id)
    office = is_office(request.user)
    reason_form = forms.ReasonForm(request.POST or None, required=False)
    if request.method == "POST":
        action = request.POST.get("action")
        to_status = {
            "approve": ChangeRequestStatus.APPROVED,
            "refuse": ChangeRequestStatus.REFUSED,
            "withdraw": ChangeRequestStatus.WITHDRAWN,
        }.get(action)
        if to_status is None:
            raise Http404
        reason_form.is_valid()
        try:
            services.change_request_transition(
                change_request=change_request,
                to_status=to_status,
                actor=request.user,
                reason=reason_form.cleaned_data.get("reason", "") if reason_form.is_bound else "",
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            _apply_errors(exc, reason_form)
        else:
            messages.success(
                request,
                _("The change request is now “%(status)s”.")
                % {"status": ChangeRequestStatus(to_status).label},
            )
            if office:
                return redirect("registry:change_requests")
            return redirect("registry:detail", pk=change_request.enterprise_id)
    return render(
        request,
        "registry/change_request_detail.html",
        {
            "change_request": change_request,
            "rows": _change_rows(change_request),
            "office": office,
            "reason_form": reason_form,
        },
    )


# --- Claims ---------------------------------------------------------------------------------


@login_required
def claim(request):
    require_registry_user(request.user)
    if is_office(request.user):
        return redirect("registry:claims")
    form = forms.ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_create(
                user=request.user,
                nib=form.cleaned_data["nib"],
                phone=form.cleaned_data["phone"],
                name=form.cleaned_data["name"],
            )
        except ApplicationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("Your claim was sent; the office will confirm it."))
            return redirect("registry:mine")
    return render(request, "registry/claim.html", {"form": form})


@login_required
def claims(request):
    require_office(request.user, "registry.view_enterpriseclaim")
    page = Paginator(selectors.pending_claims(), 25).get_page(request.GET.get("page"))
    return render(request, "registry/claims.html", {"page": page})


@login_required
@require_POST
def claim_decide(request, claim_pk):
    require_office(request.user, "registry.change_enterpriseclaim")
    claim_ = get_object_or_404(EnterpriseClaim, pk=claim_pk)
    to_status = {"approve": ClaimStatus.APPROVED, "refuse": ClaimStatus.REFUSED}.get(
        request.POST.get("action")
    )
    if to_status is None:
        raise Http404
    try:
        services.claim_transition(
            claim=claim_,
            to_status=to_status,
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("The claim is now “%(status)s”.") % {"status": ClaimStatus(to_status).label}
        )
    return redirect("registry:claims")


# --- Staff: queue, register, actions --------------------------------------------------------


@login_required
def queue(request):
    require_office(request.user, "registry.view_enterprise")
    page = Paginator(selectors.enterprise_queue(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/queue.html",
        {"page": page, "waiting": selectors.waiting_counts()},
    )


def _dress_filter_form(form) -> None:
    """Page widgets for the shared filterset (the API reads the same fields as text)."""
    from django import forms as django_forms
    from django.conf import settings

    from .choices import VILLAGE_LEVELS, RegionLevel

    kecamatan = [
        ("", _("All")),
        *list(
            Region.objects.filter(level=RegionLevel.KECAMATAN, parent_id=settings.REGION_CODE)
            .order_by("name")
            .values_list("code", "name")
        ),
    ]
    kelurahan = [
        ("", _("All")),
        *list(
            Region.objects.filter(
                level__in=VILLAGE_LEVELS, code__startswith=f"{settings.REGION_CODE}."
            )
            .order_by("name")
            .values_list("code", "name")
        ),
    ]
    form.fields["kecamatan"].widget = django_forms.Select(choices=kecamatan)
    form.fields["kelurahan"].widget = django_forms.Select(choices=kelurahan)
    form.fields["status"].widget = django_forms.CheckboxSelectMultiple(
        choices=form.fields["status"].choices
    )
    form.fields["size_class"].widget = django_forms.CheckboxSelectMultiple(
        choices=form.fields["size_class"].choices
    )
    form.fields["kbli"].widget.attrs["list"] = "kbli-divisions"
    form.fields["q"].widget.attrs["type"] = "search"


@login_required
def register_list(request):
    """The full register: filters, search, sort, pagination, counts. The NIK is searched by
    exact match through a POST and never appears in the URL."""
    require_office(request.user, "registry.view_enterprise")
    base = selectors.enterprise_list(user=request.user)
    nik_form = forms.NikSearchForm(request.POST or None)
    nik_search = False
    filterset = EnterpriseFilterSet(request.GET, queryset=base)
    _dress_filter_form(filterset.form)
    if request.method == "POST":
        nik_search = True
        if nik_form.is_valid():
            qs = base.filter(owner_nik_hash=keyed_hash(nik_form.cleaned_data["nik"])).order_by(
                "name", "id"
            )
        else:
            qs = base.none()
    else:
        qs = filterset.qs if filterset.is_valid() else base.none()
        if not request.GET.get("ordering") and not request.GET.get("q", "").strip():
            qs = qs.order_by("-created_at", "-id")
    rows = qs
    if request.GET.get("q", "").strip() and not request.GET.get("ordering") and not nik_search:
        rows = selectors.relevance_window(qs)
    # Filters on kecamatan, status and size class only: exact counts from the tally.
    tally = tally_filters(filterset) if not nik_search and filterset.is_valid() else None
    page = LargePaginator(
        rows,
        25,
        count_queryset=qs,
        counter=lambda: selectors.enterprise_count(user=request.user, queryset=qs, tally=tally),
    ).get_page(request.GET.get("page"))
    # Counts per status of the same filters without the status filter (the tabs).
    without_status = request.GET.copy()
    without_status.pop("status", None)
    without_status.pop("page", None)
    counts_filterset = EnterpriseFilterSet(without_status, queryset=base)
    counts = selectors.status_counts(
        counts_filterset.qs if counts_filterset.is_valid() and not nik_search else qs,
        user=request.user,
        tally=tally,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/list.html",
        {
            "filter": filterset,
            "page": page,
            "counts": counts,
            "status_choices": EnterpriseStatus.choices,
            "query": query.urlencode(),
            "tab_query": without_status.urlencode(),
            "nik_form": nik_form,
            "nik_search": nik_search,
            "divisions": division_choices(),
            "can_export": request.user.has_perm("registry.export_enterprise"),
            "can_export_full_nik": can_unmask_nik(request.user),
            "export_params": [
                (key, value)
                for key, values in query.lists()
                if key not in ("format", "unmask_nik", "reason")
                for value in values
            ],
            "selected_status": request.GET.getlist("status"),
        },
    )


@login_required
def register_export(request):
    require_office(request.user, "registry.export_enterprise")
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    filterset = EnterpriseFilterSet(
        request.GET, queryset=selectors.enterprise_list(user=request.user)
    )
    qs = filterset.qs if filterset.is_valid() else Enterprise.objects.none()
    try:
        return exports.export_response(
            queryset=qs,
            fmt=fmt,
            user=request.user,
            unmask=request.GET.get("unmask_nik") == "1",
            reason=request.GET.get("reason", ""),
            path=request.path,
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        query = request.GET.copy()
        for key in ("format", "unmask_nik", "reason"):
            query.pop(key, None)
        return redirect(reverse("registry:list") + "?" + query.urlencode())


@login_required
def action(request, pk, action):
    """A confirmation page for a staff decision, with the reason the owner will read."""
    require_office(request.user, "registry.verify_enterprise")
    if action not in ACTIONS:
        raise Http404
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    to_status, label = ACTIONS[action]
    reason_required = to_status != EnterpriseStatus.VERIFIED
    form = forms.ReasonForm(
        request.POST if request.method == "POST" else None, required=reason_required
    )
    allowed = to_status in ENTERPRISE_TRANSITIONS.get(enterprise.status, frozenset())
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_transition(
                enterprise=enterprise,
                to_status=to_status,
                actor=request.user,
                reason=form.cleaned_data.get("reason", ""),
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            _apply_errors(exc, form)
            if exc.status_code == 409:
                return redirect("registry:detail", pk=pk)
        else:
            messages.success(
                request,
                _("“%(name)s” is now “%(status)s”.")
                % {"name": enterprise.name, "status": EnterpriseStatus(to_status).label},
            )
            next_url = request.POST.get("next")
            if next_url == "queue":
                return redirect("registry:queue")
            return redirect("registry:detail", pk=pk)
    return render(
        request,
        "registry/action.html",
        {
            "enterprise": enterprise,
            "action": action,
            "label": label,
            "to_status": to_status,
            "form": form,
            "allowed": allowed,
            "reason_required": reason_required,
            "next": request.GET.get("next", ""),
        },
    )


# --- Facilitation records and documents ------------------------------------------------------


@login_required
@require_POST
def facilitation_add(request, pk):
    require_office(request.user, "registry.add_facilitationrecord")
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    form = forms.FacilitationForm(request.POST)
    if form.is_valid():
        facilitation_create(enterprise=enterprise, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The facilitation record was added."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect(reverse("registry:detail", args=[pk]) + "#facilitation")


@login_required
def facilitation_edit(request, record_pk):
    require_office(request.user, "registry.change_facilitationrecord")
    record = get_object_or_404(
        FacilitationRecord.objects.select_related("enterprise"), pk=record_pk
    )
    initial = {
        "kind": record.kind,
        "date": record.date,
        "status": record.status,
        "note": record.note,
    }
    form = forms.FacilitationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        facilitation_update(record=record, actor=request.user, data=form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect(reverse("registry:detail", args=[record.enterprise_id]) + "#facilitation")
    return render(request, "registry/facilitation_form.html", {"form": form, "record": record})


@login_required
@require_POST
def document_upload(request, pk):
    require_registry_user(request.user)
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document_add(
                enterprise=enterprise,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The document was uploaded."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect(reverse("registry:detail", args=[pk]) + "#documents")


@login_required
def document_download(request, doc_pk):
    require_registry_user(request.user)
    document = get_object_or_404(Document, pk=doc_pk)
    selectors.enterprise_get(user=request.user, pk=document.enterprise_id)  # 404 if not visible
    # Shown inline (PDF, images) to those who may see the business; 404 for everyone else.
    return serve_upload(document.file, download_name=document.original_name, inline=True)


@login_required
@require_POST
def document_remove(request, doc_pk):
    require_registry_user(request.user)
    document = get_object_or_404(Document, pk=doc_pk)
    selectors.enterprise_get(user=request.user, pk=document.enterprise_id)
    document_delete(document=document, actor=request.user)
    messages.success(request, _("The document was removed."))
    return redirect(reverse("registry:detail", args=[document.enterprise_id]) + "#documents")


# --- Duplicates -----------------------------------------------------------------------------


@login_required
def duplicates(request):
    require_office(request.user, "registry.view_duplicateflag")
    page = Paginator(selectors.open_duplicate_flags(), 25).get_page(request.GET.get("page"))
    return render(request, "registry/duplicates.html", {"page": page})


@login_required
@require_POST
def duplicate_dismiss(request, flag_pk):
    require_office(request.user, "registry.change_duplicateflag")
    flag = get_object_or_404(DuplicateFlag, pk=flag_pk)
    try:
        services.duplicate_flag_dismiss(flag=flag, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Marked as not a duplicate."))
    back = request.POST.get("back")
    if back and back.isdigit():
        return redirect(reverse("registry:detail", args=[int(back)]) + "#duplicates")
    return redirect("registry:duplicates")


@login_required
def merge(request, pk, other_pk):
    """Confirm a merge: choose which record stays; the other is archived with a pointer."""
    require_office(request.user, "registry.merge_enterprise")
    first = selectors.enterprise_get(user=request.user, pk=pk)
    second = selectors.enterprise_get(user=request.user, pk=other_pk)
    for e in (first, second):
        e.nik_display = _nik_for(request.user, e)
    if request.method == "POST":
        keep_pk = request.POST.get("keep")
        if keep_pk not in (str(first.pk), str(second.pk)):
            messages.error(request, _("Choose the record to keep."))
        else:
            keep, drop = (first, second) if keep_pk == str(first.pk) else (second, first)
            try:
                services.enterprise_merge(keep=keep, drop=drop, actor=request.user)
            except ApplicationError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(
                    request,
                    _("Business #%(drop)s was merged into #%(keep)s.")
                    % {"drop": drop.pk, "keep": keep.pk},
                )
                return redirect("registry:detail", pk=keep.pk)
    return render(
        request,
        "registry/merge.html",
        {"pair": [first, second]},
    )


# --- Import ---------------------------------------------------------------------------------


@login_required
def import_list(request):
    require_office(request.user, "registry.import_enterprise")
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_start(
                upload=form.cleaned_data["file"],
                actor=request.user,
                dry_run=True,
                target_status=form.cleaned_data["target_status"],
                encoding=form.cleaned_data["encoding"],
            )
        except ApplicationError as exc:
            _apply_errors(exc, form)
        else:
            return redirect("registry:import_detail", job_pk=job.pk)
    jobs = Paginator(ImportJob.objects.select_related("created_by"), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/imports.html",
        {"form": form, "jobs": jobs, "columns": imports.COLUMNS},
    )


@login_required
def import_detail(request, job_pk):
    require_office(request.user, "registry.import_enterprise")
    job = get_object_or_404(ImportJob, pk=job_pk)
    confirm_form = forms.ImportConfirmForm(request.POST or None, initial={"mode": job.mode})
    if request.method == "POST" and confirm_form.is_valid():
        try:
            job = imports.import_confirm(
                job=job, actor=request.user, mode=confirm_form.cleaned_data["mode"]
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("registry:import_detail", job_pk=job_pk)
    errors = job.report.get("errors", [])
    context = {
        "job": job,
        "running": job.status in imports.RUNNING,
        "confirm_form": confirm_form,
        "errors": errors[:500],
        "errors_total": len(errors),
        "duplicates": job.report.get("duplicates", [])[:500],
        "duplicates_total": len(job.report.get("duplicates", [])),
        "columns": job.report.get("columns", {}),
        "can_confirm": job.status == ImportStatus.VALIDATED,
    }
    if request.headers.get("HX-Request"):
        if not context["running"]:
            # Finished: reload the whole page to show the report and the confirmation.
            response = HttpResponse("")
            response["HX-Refresh"] = "true"
            return response
        return render(request, "registry/partials/import_progress.html", context)
    return render(request, "registry/import_detail.html", context)


@login_required
def import_errors_csv(request, job_pk):
    require_office(request.user, "registry.import_enterprise")
    import csv

    job = get_object_or_404(ImportJob, pk=job_pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["Baris", "Kolom", "Kesalahan"])
    for error in job.report.get("errors", []):
        writer.writerow([error["row"], error["column"], exports.neutralise(error["message"])])
    return response


@login_required
def import_template(request):
    require_office(request.user, "registry.import_enterprise")
    response = HttpResponse(
        imports.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="template-impor-ikm.xlsx"'
    return response


# --- Sentra ---------------------------------------------------------------------------------


@login_required
def sentra_list(request):
    require_office(request.user, "registry.view_sentra")
    from django.db.models import Count

    sentra = Sentra.objects.select_related("kelurahan").annotate(n=Count("enterprises"))
    return render(request, "registry/sentra_list.html", {"sentra": sentra})


@login_required
def sentra_edit(request, sentra_pk=None):
    require_office(request.user, "registry.change_sentra" if sentra_pk else "registry.add_sentra")
    instance = get_object_or_404(Sentra, pk=sentra_pk) if sentra_pk else None
    form = forms.SentraForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        # The ModelForm has already copied the values onto `instance`: hand the service the
        # stored row so that it sees what changed.
        stored = Sentra.objects.get(pk=instance.pk) if instance else None
        sentra_save(instance=stored, data=form.cleaned_data, actor=request.user)
        messages.success(request, _("Saved."))
        return redirect("registry:sentra_list")
    return render(request, "registry/sentra_form.html", {"form": form, "sentra": instance})
