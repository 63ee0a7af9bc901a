import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ikm_portal.core.exceptions import ApplicationError
from ikm_portal.core.selectors import activity_for

from . import selectors, services
from .api.serializers import is_sensitive
from .choices import Status
from .filtersets import NotificationFilterSet
from .forms import NotificationPreferenceForm
from .models import Notification
from .permissions import can_manage, can_view_log

INBOX_PAGE_SIZE = 20
LOG_PAGE_SIZE = 50
LOG_SORTS = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-sent_at": ("-sent_at", "-id"),
    "status": ("status", "-created_at", "-id"),
}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default


# --- The inbox (every signed-in user) ---


@login_required
@require_GET
def inbox(request):
    filterset = NotificationFilterSet(request.GET, queryset=selectors.inbox_list(user=request.user))
    rows = filterset.qs if filterset.is_valid() else selectors.inbox_list(user=request.user)
    page = Paginator(rows, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread": selectors.inbox_unread_count(user=request.user),
            "only_unread": request.GET.get("unread") == "true",
        },
    )


def _inbox_row(request, pk: int) -> Notification:
    try:
        return selectors.inbox_get(user=request.user, pk=pk)
    except Notification.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def inbox_detail(request, pk: int):
    notification = services.notification_mark_read(notification=_inbox_row(request, pk))
    return render(request, "notifications/detail.html", {"notification": notification})


@login_required
@require_POST
def inbox_read(request, pk: int):
    notification = services.notification_mark_read(notification=_inbox_row(request, pk))
    if _is_htmx(request):
        return render(request, "notifications/includes/inbox_item.html", {"n": notification})
    return redirect(_safe_next(request, "notifications:inbox"))


@login_required
@require_POST
def inbox_read_all(request):
    marked = services.notification_mark_all_read(user=request.user)
    if marked:
        messages.success(request, _("All messages are marked as read."))
    return redirect("notifications:inbox")


@login_required
@require_POST
def preferences(request):
    current = services.notification_preference_get(user=request.user)
    form = NotificationPreferenceForm(
        request.POST,
        user=request.user,
        initial={"email": current.email, "whatsapp": current.whatsapp, "sms": current.sms},
    )
    if form.is_valid():
        services.notification_preferences_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification choices have been saved."))
    else:
        messages.error(request, _("Your notification choices could not be saved."))
    return redirect("accounts:profile")


# --- The delivery log (office staff) ---


def _require_log(request):
    if not can_view_log(request.user):
        raise PermissionDenied


def _log_row(request, pk: int) -> Notification:
    try:
        return selectors.notification_log_get(user=request.user, pk=pk)
    except Notification.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def log_list(request):
    _require_log(request)
    filterset = NotificationFilterSet(
        request.GET, queryset=selectors.notification_log(user=request.user)
    )
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    sort = request.GET.get("sort", "-created_at")
    if sort not in LOG_SORTS:
        sort = "-created_at"
    rows = rows.order_by(*LOG_SORTS[sort])
    if request.GET.get("export") == "csv":
        return _log_csv(rows)
    page = Paginator(rows, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "page": page,
        "sort": sort,
        "query": query.urlencode(),
        "counts": selectors.notification_status_counts(),
    }
    if _is_htmx(request):
        return render(request, "notifications/log/_results.html", context)
    return render(request, "notifications/log/list.html", context)


def _log_csv(rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="delivery-log-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "id",
            "created_at",
            "recipient",
            "address",
            "channel",
            "template",
            "status",
            "attempts",
            "sent_at",
            "last_error",
        ]
    )
    for row in rows.iterator(chunk_size=500):
        writer.writerow(
            [
                row.pk,
                timezone.localtime(row.created_at).isoformat(),
                row.recipient.email if row.recipient_id else "",
                row.address,
                row.channel,
                row.template,
                row.status,
                row.attempts,
                timezone.localtime(row.sent_at).isoformat() if row.sent_at else "",
                row.last_error,
            ]
        )
    return response


@login_required
@require_GET
def log_detail(request, pk: int):
    _require_log(request)
    notification = _log_row(request, pk)
    return render(
        request,
        "notifications/log/detail.html",
        {
            "n": notification,
            "sensitive": is_sensitive(notification),
            "history": activity_for(target=notification),
            "can_manage": can_manage(request.user),
        },
    )


@login_required
@require_POST
def log_resend(request, pk: int):
    _require_log(request)
    if not can_manage(request.user):
        raise PermissionDenied
    notification = _log_row(request, pk)
    try:
        services.notification_resend(notification=notification, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The message is queued to be sent again."))
    return redirect("notifications:log_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def log_cancel(request, pk: int):
    """Cancelling cannot be undone: a confirmation page first (GET), then the POST."""
    _require_log(request)
    if not can_manage(request.user):
        raise PermissionDenied
    notification = _log_row(request, pk)
    if request.method == "GET":
        if notification.status != Status.QUEUED:
            messages.error(request, _("Only a queued message can be cancelled."))
            return redirect("notifications:log_detail", pk=pk)
        return render(request, "notifications/log/cancel.html", {"n": notification})
    try:
        services.notification_cancel(notification=notification, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The message has been cancelled."))
    return redirect("notifications:log_detail", pk=pk)
