"""The one gate of the data-rights app, used by selectors, pages and the API alike.

- The access log: office users holding ``datarights.view_accesslog`` read all of it; an owner
  reads only the partner views of their own data ("Who saw my data").
- Data requests: office users holding ``datarights.view_datarequest`` see every request (and
  with ``change_datarequest`` handle them); an owner sees their own.
"""

from rest_framework import permissions

from .choices import AccessAction
from .models import AccessLog, DataRequest

VIEW_LOG = "datarights.view_accesslog"
VIEW_REQUESTS = "datarights.view_datarequest"
HANDLE_REQUESTS = "datarights.change_datarequest"


def _office(user) -> bool:
    return bool(user and user.is_authenticated and user.is_office)


def can_read_log(user) -> bool:
    return _office(user) and user.has_perm(VIEW_LOG)


def can_see_requests(user) -> bool:
    return _office(user) and user.has_perm(VIEW_REQUESTS)


def can_handle_requests(user) -> bool:
    return _office(user) and user.has_perm(HANDLE_REQUESTS)


def is_data_subject(user) -> bool:
    """Who may download their data and file requests: any signed-in user who is not office
    staff (owners; partner users hold their account data too)."""
    return bool(user and user.is_authenticated and user.is_active and not user.is_office)


def access_log_visible_to(user):
    if can_read_log(user):
        return AccessLog.objects.all()
    return AccessLog.objects.none()


def access_log_of_owner(user):
    """The partner views of the user's own data: what "Who saw my data" shows."""
    if not (user and user.is_authenticated):
        return AccessLog.objects.none()
    return AccessLog.objects.filter(subject_user=user, action=AccessAction.PARTNER_VIEW)


def data_requests_visible_to(user):
    if can_see_requests(user):
        return DataRequest.objects.all()
    if user and user.is_authenticated:
        return DataRequest.objects.filter(user=user)
    return DataRequest.objects.none()


class ReadsAccessLog(permissions.BasePermission):
    def has_permission(self, request, view):
        return can_read_log(request.user)
