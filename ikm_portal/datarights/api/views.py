from django.http import HttpResponse
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..choices import RequestStatus
from ..filtersets import AccessLogFilterSet, DataRequestFilterSet
from ..permissions import can_handle_requests, can_read_log, is_data_subject
from .serializers import (
    AccessLogSerializer,
    AnswerSerializer,
    DataRequestSerializer,
    OwnerAccessSerializer,
)


class AccessLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The personal-data access log (office users with the permission): partner views, NIK
    unmasks, exports. Filter per person with `person=<account id>` or
    `record=app_label.model:pk` (e.g. `registry.enterprise:12`)."""

    serializer_class = AccessLogSerializer
    filterset_class = AccessLogFilterSet
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return selectors.access_log_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        if not can_read_log(request.user):
            raise NotFound
        return super().list(request, *args, **kwargs)


class WhoSawMyDataView(ListAPIView):
    """The partner users who saw the signed-in user's personal data, and when."""

    serializer_class = OwnerAccessSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.access_log_for_owner(user=self.request.user)


class MyDataExportView(APIView):
    """All the signed-in user's personal data as JSON (each app's part under its label)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        if not is_data_subject(request.user):
            raise NotFound
        data = services.personal_data_collect(user=request.user)
        response = HttpResponse(
            selectors.personal_data_json(data), content_type="application/json; charset=utf-8"
        )
        response["Cache-Control"] = "no-store"
        return response


class DataRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Requests to correct or erase personal data. Owners create and read their own; office
    users read all and answer them within 72 hours (`due_at`)."""

    serializer_class = DataRequestSerializer
    filterset_class = DataRequestFilterSet
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.data_request_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        if not is_data_subject(request.user):
            raise NotFound
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.data_request_create(
            user=request.user,
            kind=serializer.validated_data["kind"],
            details=serializer.validated_data.get("details", ""),
        )
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    def _answer(self, request, to_status):
        data_request = self.get_object()
        if not can_handle_requests(request.user):
            raise NotFound
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = services.data_request_transition(
            request=data_request,
            to_status=to_status,
            actor=request.user,
            response=body.validated_data.get("response", ""),
        )
        return Response(self.get_serializer(updated).data)

    @extend_schema(request=AnswerSerializer, responses={200: DataRequestSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._answer(request, RequestStatus.IN_PROGRESS)

    @extend_schema(request=AnswerSerializer, responses={200: DataRequestSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Done: for an erasure, anonymises the owner's data first; `kept` says what stays."""
        return self._answer(request, RequestStatus.DONE)

    @extend_schema(request=AnswerSerializer, responses={200: DataRequestSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._answer(request, RequestStatus.REFUSED)
