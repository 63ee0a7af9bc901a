from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ikm_portal.core.exceptions import ApplicationError

from . import selectors, services
from .choices import REQUEST_TRANSITIONS, RequestStatus
from .filtersets import AccessLogFilterSet, DataRequestFilterSet
from .forms import AnswerForm, DataRequestForm
from .pdf import personal_data_pdf
from .permissions import can_handle_requests, can_read_log, can_see_requests, is_data_subject


def _page(request, queryset, per_page=50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Staff: the access log -------------------------------------------------------------------


@login_required
def access_log(request):
    """Every access to personal data; ``?person=<account id>`` or ``?record=app.model:pk``
    narrows it to one person (linked from the business detail page)."""
    if not can_read_log(request.user):
        raise Http404
    filterset = AccessLogFilterSet(
        request.GET or None, queryset=selectors.access_log_list(user=request.user)
    )
    page = _page(request, filterset.qs)
    person = filterset.form.cleaned_data.get("person") if filterset.is_bound else None
    record = filterset.form.cleaned_data.get("record") if filterset.is_bound else None
    return render(
        request,
        "datarights/access_log.html",
        {
            "filter": filterset,
            "page": page,
            "count": page.paginator.count,
            "narrowed": bool(person or record),
            "query": _query_without_page(request),
        },
    )


# --- Owners: my data ------------------------------------------------------------------------


def _require_subject(user):
    if not is_data_subject(user):
        raise Http404


@login_required
def mine(request):
    """Download my data, ask for a correction or an erasure, see my requests."""
    _require_subject(request.user)
    form = DataRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.data_request_create(
                user=request.user,
                kind=form.cleaned_data["kind"],
                details=form.cleaned_data["details"],
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("Your request was sent. The office answers within 3×24 hours.")
            )
            return redirect("datarights:mine")
    return render(
        request,
        "datarights/mine.html",
        {"form": form, "requests": request.user.data_requests.select_related("handled_by")},
    )


@login_required
def download(request, fmt):
    _require_subject(request.user)
    data = services.personal_data_collect(user=request.user)
    stamp = timezone.localtime().strftime("%Y%m%d")
    if fmt == "json":
        response = HttpResponse(
            selectors.personal_data_json(data), content_type="application/json; charset=utf-8"
        )
    else:
        response = HttpResponse(
            personal_data_pdf(data, name=request.user.get_full_name() or request.user.email),
            content_type="application/pdf",
        )
    response["Content-Disposition"] = f'attachment; filename="data-saya-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def who_saw_my_data(request):
    _require_subject(request.user)
    page = _page(request, selectors.access_log_for_owner(user=request.user))
    return render(request, "datarights/who_saw.html", {"page": page, "count": page.paginator.count})


# --- Staff: the request queue ----------------------------------------------------------------


@login_required
def requests_queue(request):
    if not can_see_requests(request.user):
        raise Http404
    filterset = DataRequestFilterSet(
        request.GET or None, queryset=selectors.data_request_list(user=request.user)
    )
    page = _page(request, filterset.qs)
    return render(
        request,
        "datarights/queue.html",
        {
            "filter": filterset,
            "page": page,
            "count": page.paginator.count,
            "now": timezone.now(),
            "query": _query_without_page(request),
        },
    )


ACTIONS = {
    "start": RequestStatus.IN_PROGRESS,
    "done": RequestStatus.DONE,
    "refuse": RequestStatus.REFUSED,
}


@login_required
def request_detail(request, pk):
    if not can_see_requests(request.user):
        raise Http404
    data_request = get_object_or_404(selectors.data_request_list(user=request.user), pk=pk)
    allowed = REQUEST_TRANSITIONS[data_request.status]
    actions = [name for name, to in ACTIONS.items() if to in allowed]
    if not can_handle_requests(request.user):
        actions = []
    return render(
        request,
        "datarights/request_detail.html",
        {"data_request": data_request, "form": AnswerForm(), "actions": actions},
    )


@login_required
@require_POST
def request_action(request, pk, action):
    if not can_handle_requests(request.user) or action not in ACTIONS:
        raise Http404
    data_request = get_object_or_404(selectors.data_request_list(user=request.user), pk=pk)
    form = AnswerForm(request.POST)
    form.is_valid()
    try:
        services.data_request_transition(
            request=data_request,
            to_status=ACTIONS[action],
            actor=request.user,
            response=form.cleaned_data.get("response", ""),
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved."))
    return redirect("datarights:request_detail", pk=pk)
