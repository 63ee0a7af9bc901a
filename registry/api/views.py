"""The registry API under /api/v1/. Every view scopes with ``enterprises_visible_to`` (through
the selectors) and writes through the services the pages use."""

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from ikm_portal.core.crypto import keyed_hash
from ikm_portal.core.pagination import LargeListPagination
from ikm_portal.core.renderers import FastJSONRenderer
from ikm_portal.datarights.choices import AccessChannel

from .. import selectors, services
from ..choices import EnterpriseStatus, HistorySource, RegistrationSource
from ..filtersets import EnterpriseFilterSet, KbliFilterSet, RegionFilterSet, tally_filters
from ..models import DuplicateFlag, ImportJob, Kbli, Region
from ..permissions import (
    OfficeOnly,
    RegistryUser,
    enterprises_visible_to,
    is_office,
    require_office,
)
from ..services import exports, imports
from .serializers import (
    DuplicateFlagSerializer,
    EnterpriseReasonSerializer,
    EnterpriseSerializer,
    FieldChangeSerializer,
    ImportJobSerializer,
    ImportRequestSerializer,
    KbliSerializer,
    MergeSerializer,
    NikSearchSerializer,
    RegionSerializer,
    UnmaskedNikSerializer,
    UnmaskNikSerializer,
    enterprise_list_data,
)


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Kemendagri regions: `?level=kecamatan&parent=35.73`."""

    queryset = Region.objects.order_by("code")
    serializer_class = RegionSerializer
    permission_classes = [IsAuthenticated, RegistryUser]
    filter_backends = [DjangoFilterBackend]
    filterset_class = RegionFilterSet
    lookup_value_regex = r"[0-9.]+"


class KbliViewSet(viewsets.ReadOnlyModelViewSet):
    """KBLI codes: `?q=tempe&level=class` (level by name or by digits 2-5), `?version=2020`."""

    queryset = Kbli.objects.order_by("version", "code")
    serializer_class = KbliSerializer
    permission_classes = [IsAuthenticated, RegistryUser]
    filter_backends = [DjangoFilterBackend]
    filterset_class = KbliFilterSet


class EnterpriseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """IKM businesses. Owners see and write their own; office staff see all. `owner_nik` is
    masked (`************1234`) unless you are the owner or hold the unmask permission."""

    serializer_class = EnterpriseSerializer
    permission_classes = [IsAuthenticated, RegistryUser]
    filter_backends = [DjangoFilterBackend]
    filterset_class = EnterpriseFilterSet
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"
    pagination_class = LargeListPagination

    def get_queryset(self):
        if self.action == "list":  # rows are read by selectors.enterprise_rows
            return enterprises_visible_to(self.request.user).order_by("-created_at", "-id")
        return selectors.enterprise_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        """One query for the page (``.values()`` rows with their products and certifications as
        JSON) and at most two cheap ones for the count (docs/performance.md)."""
        # The backend's own steps, keeping the filterset: its values say whether the count can
        # come from the maintained tally (exact, without counting rows).
        filterset = DjangoFilterBackend().get_filterset(request, self.get_queryset(), self)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        queryset = filterset.qs
        rows = queryset
        if request.query_params.get("q", "").strip() and not request.query_params.get("ordering"):
            rows = selectors.relevance_window(queryset)
        paginator = self.paginator
        page = paginator.paginate_queryset(
            rows,
            request,
            self,
            rows=selectors.enterprise_page_rows,
            counter=lambda: selectors.enterprise_count(
                user=request.user, queryset=queryset, tally=tally_filters(filterset)
            ),
        )
        return paginator.get_paginated_response(enterprise_list_data(page, user=request.user))

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response(self.get_serializer(instance).data)

    @extend_schema(request=UnmaskNikSerializer, responses={200: UnmaskedNikSerializer})
    @action(detail=True, methods=["post"], url_path="unmask-nik")
    def unmask_nik(self, request, pk=None):
        """The full NIK, for office users holding `registry.unmask_nik`, with a reason; the
        personal-data access log records who, whose, when and why."""
        enterprise = self.get_object()
        body = UnmaskNikSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        nik = services.enterprise_nik_unmask(
            enterprise=enterprise,
            actor=request.user,
            reason=body.validated_data["reason"],
            channel=AccessChannel.API_DETAIL,
            path=request.path,
        )
        response = Response({"owner_nik": nik})
        response["Cache-Control"] = "no-store"
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kwargs = serializer.service_kwargs()
        if is_office(request.user):
            owner = serializer.validated_data.get("owner_email")
            source = serializer.validated_data.get("source") or RegistrationSource.WALK_IN
        else:
            owner, source = request.user, RegistrationSource.API
        enterprise = services.enterprise_create(
            actor=request.user,
            owner=owner,
            source=source,
            history_source=HistorySource.API,
            **kwargs,
        )
        enterprise = selectors.enterprise_get(user=request.user, pk=enterprise.pk)
        return Response(self.get_serializer(enterprise).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        if not partial:
            return Response(status=status.HTTP_405_METHOD_NOT_ALLOWED)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        extra = {}
        if is_office(request.user) and serializer.validated_data.get("owner_email"):
            extra["owner"] = serializer.validated_data["owner_email"]
        kwargs = serializer.service_kwargs()
        kwargs["data"] |= extra
        services.enterprise_update(
            enterprise=instance, actor=request.user, source=HistorySource.API, **kwargs
        )
        instance = selectors.enterprise_get(user=request.user, pk=instance.pk)
        return Response(self.get_serializer(instance).data)

    def _transition(self, request, to_status):
        enterprise = self.get_object()
        body = EnterpriseReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.enterprise_transition(
            enterprise=enterprise,
            to_status=to_status,
            actor=request.user,
            reason=body.validated_data.get("reason", ""),
            source=HistorySource.API,
        )
        enterprise = selectors.enterprise_get(user=request.user, pk=enterprise.pk)
        return Response(self.get_serializer(enterprise).data)

    @extend_schema(request=None, responses={200: EnterpriseSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, EnterpriseStatus.SUBMITTED)

    @extend_schema(request=None, responses={200: EnterpriseSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._transition(request, EnterpriseStatus.VERIFIED)

    @extend_schema(request=EnterpriseReasonSerializer, responses={200: EnterpriseSerializer})
    @action(detail=True, methods=["post"], url_path="request-revision")
    def request_revision(self, request, pk=None):
        return self._transition(request, EnterpriseStatus.NEEDS_REVISION)

    @extend_schema(request=EnterpriseReasonSerializer, responses={200: EnterpriseSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._transition(request, EnterpriseStatus.REJECTED)

    @extend_schema(request=EnterpriseReasonSerializer, responses={200: EnterpriseSerializer})
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._transition(request, EnterpriseStatus.ARCHIVED)

    @extend_schema(responses={200: FieldChangeSerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, pk=None):
        enterprise = self.get_object()
        rows = selectors.history_for(enterprise=enterprise, user=request.user)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(FieldChangeSerializer(page, many=True).data)

    @extend_schema(responses={200: DuplicateFlagSerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def duplicates(self, request, pk=None):
        enterprise = self.get_object()
        require_office(request.user)
        rows = selectors.duplicates_for(enterprise=enterprise)
        return Response(DuplicateFlagSerializer(rows, many=True).data)

    @extend_schema(request=None, responses={200: DuplicateFlagSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"duplicates/(?P<flag_id>\d+)/not-duplicate",
        filter_backends=[],
    )
    def not_duplicate(self, request, pk=None, flag_id=None):
        enterprise = self.get_object()
        require_office(request.user, "registry.change_duplicateflag")
        flag = get_object_or_404(
            DuplicateFlag.objects.filter(enterprise=enterprise)
            | DuplicateFlag.objects.filter(other=enterprise),
            pk=flag_id,
        )
        services.duplicate_flag_dismiss(flag=flag, actor=request.user)
        rows = [
            r for r in selectors.duplicates_for(enterprise=enterprise) if r["flag"].pk == flag.pk
        ]
        return Response(DuplicateFlagSerializer(rows[0]).data)

    @extend_schema(request=MergeSerializer, responses={200: EnterpriseSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def merge(self, request, pk=None):
        keep = self.get_object()
        require_office(request.user, "registry.merge_enterprise")
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        drop = selectors.enterprise_get(user=request.user, pk=body.validated_data["drop"])
        services.enterprise_merge(
            keep=keep, drop=drop, actor=request.user, source=HistorySource.API
        )
        keep = selectors.enterprise_get(user=request.user, pk=keep.pk)
        return Response(self.get_serializer(keep).data)

    @extend_schema(request=NikSearchSerializer, responses={200: EnterpriseSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="search-nik")
    def search_nik(self, request):
        """Exact NIK match, sent in the body (never in a URL); office staff only."""
        require_office(request.user)
        body = NikSearchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        qs = self.filter_queryset(self.get_queryset()).filter(
            owner_nik_hash=keyed_hash(body.validated_data["nik"])
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class _AnyFormat(BaseContentNegotiation):
    """`?format=csv|xlsx` chooses the file, not a DRF renderer."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class EnterpriseExportView(APIView):
    """`GET /api/v1/enterprises/export/?format=csv|xlsx` with the list's filters. NIKs are
    masked unless `unmask_nik=true&reason=…` (registry.unmask_nik); every export is written to
    the personal-data access log, one row per business."""

    permission_classes = [IsAuthenticated, OfficeOnly]
    content_negotiation_class = _AnyFormat

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["csv", "xlsx"]),
            OpenApiParameter(
                "unmask_nik",
                bool,
                description="Full NIKs instead of masked ones (needs registry.unmask_nik and "
                "a reason; logged per business).",
            ),
            OpenApiParameter("reason", str, description="Why full NIKs are needed."),
        ],
        responses={
            (200, "text/csv"): bytes,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes,
        },
    )
    def get(self, request):
        require_office(request.user, "registry.export_enterprise")
        fmt = request.query_params.get("format", "csv")
        if fmt not in ("csv", "xlsx"):
            return Response({"format": ["Choose csv or xlsx."]}, status=status.HTTP_400_BAD_REQUEST)
        filterset = EnterpriseFilterSet(
            request.query_params, queryset=selectors.enterprise_list(user=request.user)
        )
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        unmask = request.query_params.get("unmask_nik", "").lower() in ("1", "true", "yes")
        return exports.export_response(
            queryset=filterset.qs,
            fmt=fmt,
            user=request.user,
            unmask=unmask,
            reason=request.query_params.get("reason", ""),
            path=request.path,
        )


class EnterpriseImportView(APIView):
    """`POST /api/v1/enterprises/import/` (multipart `file`, `dry_run`) → the import report.

    A dry run only checks. Without it the rows are imported (all valid rows, or all or nothing
    with `mode=all_or_nothing`). Large files run in the background: the answer is 202 and the
    report's `status` and `progress_percent` are polled at `/api/v1/enterprises/imports/{id}/`."""

    permission_classes = [IsAuthenticated, OfficeOnly]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ImportRequestSerializer, responses={200: ImportJobSerializer})
    def post(self, request):
        require_office(request.user, "registry.import_enterprise")
        body = ImportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        job = imports.import_start(
            upload=data["file"],
            actor=request.user,
            dry_run=data["dry_run"],
            mode=data["mode"],
            target_status=data["target_status"],
            encoding=data.get("encoding") or "",
        )
        job.refresh_from_db()
        code = status.HTTP_202_ACCEPTED if job.status in imports.RUNNING else status.HTTP_200_OK
        return Response(ImportJobSerializer(job).data, status=code)


class ImportJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Import reports (office staff). `POST …/{id}/confirm/` imports a checked file."""

    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    permission_classes = [IsAuthenticated, OfficeOnly]
    filter_backends: list = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_office(request.user, "registry.import_enterprise")

    @extend_schema(
        request=ImportRequestSerializer(partial=True), responses={200: ImportJobSerializer}
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        job = self.get_object()
        mode = request.data.get("mode") or job.mode
        job = imports.import_confirm(job=job, actor=request.user, mode=mode)
        job.refresh_from_db()
        code = status.HTTP_202_ACCEPTED if job.status in imports.RUNNING else status.HTTP_200_OK
        return Response(ImportJobSerializer(job).data, status=code)
