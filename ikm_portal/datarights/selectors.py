import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from .choices import OPEN_STATUSES
from .permissions import access_log_of_owner, access_log_visible_to, data_requests_visible_to


def access_log_list(*, user):
    return access_log_visible_to(user).select_related("actor", "subject_type", "object_type")


def access_log_for_owner(*, user):
    return access_log_of_owner(user).order_by("-created_at", "-id")


def data_request_list(*, user):
    """Open requests first, the nearest deadline first; answered ones after, newest first."""
    return (
        data_requests_visible_to(user)
        .select_related("user", "handled_by")
        .annotate(
            closed=Case(
                When(status__in=sorted(OPEN_STATUSES), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", "due_at", "-id")
    )


def data_request_counts() -> dict:
    from .models import DataRequest

    open_qs = DataRequest.objects.filter(status__in=sorted(OPEN_STATUSES))
    return {"open": open_qs.count(), "overdue": open_qs.filter(due_at__lt=timezone.now()).count()}


def record_key(obj) -> str:
    """ "app_label.model:pk", how a page links to the access log of one record."""
    return f"{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}"


def personal_data_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
