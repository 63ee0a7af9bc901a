from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from ikm_portal.core.exceptions import ApplicationError
from partnerships.permissions import is_office
from training.choices import AccessChannel
from training.models import Program
from training.permissions import applications_visible_to, programs_visible_to

from .. import selectors, services
from ..certificates import certificate_pdf
from ..choices import OutcomeStatus, OutcomeWave
from ..filtersets import (
    AttendanceFilterSet,
    OutcomeFilterSet,
    ParticipantFilterSet,
    SessionFilterSet,
)
from ..models import Certificate, OutcomeSurvey, Session
from ..permissions import (
    can_enter_outcome,
    can_manage_participants,
    can_manage_sessions,
    can_mark_attendance,
    can_override_completion,
    can_request_outcomes,
    can_view_program_reports,
)
from ..stats.program import funnel, impact_report
from ..stats.registry import registry_stats
from .serializers import (
    AttendanceSerializer,
    AttendanceWriteSerializer,
    CheckinSerializer,
    CompleteSerializer,
    EnrolSerializer,
    OutcomeRequestSerializer,
    OutcomeSerializer,
    ParticipantSerializer,
    ParticipationReasonSerializer,
    RuleResultSerializer,
    SessionSerializer,
    TransitionSerializer,
)


def _visible_program(user, pk) -> Program:
    return get_object_or_404(programs_visible_to(user), pk=pk)


def _program_for_reports(user, pk) -> Program:
    program = _visible_program(user, pk)
    if not can_view_program_reports(user, program):
        raise NotFound
    return program


class ProgramSessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The sessions (jadwal) of a programme. Participants see their own sessions; the office
    and the partner's members see all; the office (and a co-managing partner manager) schedule,
    change and cancel them."""

    serializer_class = SessionSerializer
    filterset_class = SessionFilterSet
    ordering_fields = ["starts_at"]
    ordering = ["starts_at", "id"]
    lookup_value_regex = r"\d+"

    def get_program(self) -> Program:
        if not hasattr(self, "_program"):
            self._program = _visible_program(self.request.user, self.kwargs["program_pk"])
        return self._program

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        user = self.request.user
        program = self.get_program()
        qs = selectors.session_list(user=user).filter(program=program)
        if not can_mark_attendance(user, program) and not qs.exists():
            raise NotFound
        return qs

    def create(self, request, *args, **kwargs):
        self.get_queryset()  # a programme whose sessions this user may not see is a 404
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        program = self.get_program()
        if not can_manage_sessions(self.request.user, program):
            raise PermissionDenied
        session = services.session_create(
            program=program, actor=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=session.pk)

    def perform_update(self, serializer):
        session = serializer.instance
        if not can_manage_sessions(self.request.user, session.program):
            raise PermissionDenied
        services.session_update(
            session=session, actor=self.request.user, data=dict(serializer.validated_data)
        )
        serializer.instance = self.get_queryset().get(pk=session.pk)

    @extend_schema(request=ParticipationReasonSerializer, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, program_pk=None, pk=None):
        session = self.get_object()
        if not can_manage_sessions(request.user, session.program):
            raise PermissionDenied
        serializer = ParticipationReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.session_cancel(
            session=session, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)


class AttendanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Attendance marks. `POST` marks one participant (`session`, `participant`, `status`) or
    several at once (`session`, `marks: [{participant, status, note}]`): the office and the
    programme's partner members (facilitators). `POST checkin/` is the participant's QR self
    check-in (`session`, `token` from the QR link or the short `code`)."""

    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilterSet
    ordering = ["session", "participant"]

    def get_queryset(self):
        return selectors.attendance_list(user=self.request.user)

    def _session(self, pk) -> Session:
        session = Session.objects.select_related("program").filter(pk=pk).first()
        if (
            session is None
            or not selectors.session_list(user=self.request.user).filter(pk=pk).exists()
        ):
            raise NotFound
        return session

    @extend_schema(request=AttendanceWriteSerializer, responses=AttendanceSerializer(many=True))
    def create(self, request):
        serializer = AttendanceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = self._session(serializer.validated_data["session"])
        if not can_mark_attendance(request.user, session.program):
            raise PermissionDenied
        rows = services.attendance_mark(
            session=session, marks=serializer.validated_data["marks"], actor=request.user
        )
        return Response(AttendanceSerializer(rows, many=True).data, status=201)

    @extend_schema(request=CheckinSerializer, responses=AttendanceSerializer(many=True))
    @action(detail=False, methods=["post"])
    def checkin(self, request):
        serializer = CheckinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = self._session(serializer.validated_data["session"])
        rows = services.attendance_checkin(
            session=session,
            user=request.user,
            token=serializer.validated_data["token"],
            code=serializer.validated_data["code"],
        )
        return Response(AttendanceSerializer(rows, many=True).data)


class ParticipantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Participants: one per accepted application and stage, with `status`,
    `attendance_rate` (attended ÷ (held - excused) sessions, in %) and `certificate`."""

    serializer_class = ParticipantSerializer
    filterset_class = ParticipantFilterSet
    ordering_fields = ["enrolled_at", "status", "completed_at"]
    ordering = ["program", "stage__order", "enterprise__name", "id"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.participant_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        services.partner_views_record(
            user=request.user,
            application_ids=[p.application_id for p in page],
            channel=AccessChannel.API_LIST,
            path=request.get_full_path(),
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        participant = self.get_object()
        services.partner_views_record(
            user=request.user,
            application_ids=[participant.application_id],
            channel=AccessChannel.API_DETAIL,
            path=request.get_full_path(),
        )
        return Response(self.get_serializer(participant).data)

    def _fresh(self, participant):
        return self.get_queryset().get(pk=participant.pk)

    @extend_schema(request=EnrolSerializer, responses=ParticipantSerializer)
    def create(self, request):
        """Enrol an accepted application in a stage by hand (office). Idempotent."""
        serializer = EnrolSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = serializer.validated_data["application"]
        if not applications_visible_to(request.user).filter(pk=application.pk).exists():
            raise NotFound
        if not is_office(request.user):
            raise PermissionDenied
        participant = services.participant_enroll(
            application=application,
            stage=serializer.validated_data["stage"],
            track=serializer.validated_data.get("track"),
            actor=request.user,
        )
        return Response(self.get_serializer(self._fresh(participant)).data, status=201)

    @extend_schema(request=TransitionSerializer, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Pause, drop out or reinstate (`to`: active, paused, dropped; `reason`)."""
        participant = self.get_object()
        if not can_manage_participants(request.user, participant.program):
            raise PermissionDenied
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.participant_transition(
            participant=participant,
            to=serializer.validated_data["to"],
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(self.get_serializer(self._fresh(participant)).data)

    @extend_schema(responses=RuleResultSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def completion(self, request, pk=None):
        """The completion rule for this participant: `[{rule, ok, reason}]`."""
        participant = self.get_object()
        return Response(services.completion_check(participant=participant))

    @extend_schema(request=CompleteSerializer, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Complete when the rule is met (or, for the office, `override` with a `reason`); the
        certificate is issued."""
        participant = self.get_object()
        if not can_manage_participants(request.user, participant.program):
            raise PermissionDenied
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        override = serializer.validated_data["override"]
        if override and not can_override_completion(request.user):
            raise PermissionDenied
        services.participant_complete(
            participant=participant,
            actor=request.user,
            override=override,
            reason=serializer.validated_data["reason"],
        )
        return Response(self.get_serializer(self._fresh(participant)).data)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def certificate(self, request, pk=None):
        """The certificate as PDF."""
        participant = self.get_object()
        certificate = Certificate.objects.filter(participant=participant).first()
        if certificate is None:
            raise NotFound
        return certificate_response(certificate)

    @extend_schema(request=ParticipationReasonSerializer, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"], url_path="certificate/revoke")
    def revoke_certificate(self, request, pk=None):
        participant = self.get_object()
        if not is_office(request.user):
            raise PermissionDenied
        certificate = Certificate.objects.filter(participant=participant).first()
        if certificate is None:
            raise NotFound
        serializer = ParticipationReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.certificate_revoke(
            certificate=certificate, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(self.get_serializer(self._fresh(participant)).data)


def certificate_response(certificate: Certificate, *, inline: bool = False) -> HttpResponse:
    rule = selectors.completion_rule_of(certificate.participant.program)
    pdf = certificate_pdf(
        certificate, signatory_name=rule.signatory_name, signatory_title=rule.signatory_title
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = "sertifikat-" + certificate.number.replace("/", "-") + ".pdf"
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


class OutcomeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Outcome survey responses (baseline, end-line, follow-up). The owner answers a survey
    that was requested from them (`POST` with `application` and `wave`, or `PATCH` the
    requested one); office staff may answer on the owner's behalf and correct answers later."""

    serializer_class = OutcomeSerializer
    filterset_class = OutcomeFilterSet
    ordering_fields = ["requested_at", "submitted_at", "due_on"]
    ordering = ["application", "wave"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.outcome_list(user=self.request.user)

    @staticmethod
    def _figures(data: dict) -> dict:
        return {k: v for k, v in data.items() if k in services.OUTCOME_FIGURES}

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = serializer.validated_data["application"]
        wave = serializer.validated_data["wave"]
        if not applications_visible_to(request.user).filter(pk=application.pk).exists():
            raise NotFound
        survey = OutcomeSurvey.objects.filter(application=application, wave=wave).first()
        if survey is None:
            if not is_office(request.user):
                raise ApplicationError(
                    field_errors={"wave": ["This survey has not been requested."]}
                )
            survey = services.outcome_request(
                application=application, wave=wave, actor=request.user, notify=False
            )
        if not can_enter_outcome(request.user, survey):
            raise PermissionDenied
        services.outcome_submit(
            survey=survey, actor=request.user, data=self._figures(serializer.validated_data)
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data, status=201)

    def update(self, request, *args, **kwargs):
        survey = self.get_object()
        if not can_enter_outcome(request.user, survey):
            raise PermissionDenied
        partial = kwargs.pop("partial", False)
        data = {**request.data, "application": survey.application_id, "wave": survey.wave}
        if partial and survey.status == OutcomeStatus.SUBMITTED:
            # A correction keeps the fields it does not name.
            current = OutcomeSerializer(survey).data
            data = {**{k: current[k] for k in services.OUTCOME_FIGURES}, **data}
        serializer = self.get_serializer(survey, data=data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.outcome_submit(
            survey=survey, actor=request.user, data=self._figures(serializer.validated_data)
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data)

    @extend_schema(request=OutcomeRequestSerializer, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="request", url_name="request")
    def request_surveys(self, request):
        """Ask a programme's participants (or the eligible applicants who were not selected)
        for a survey now: `{program, wave, who}`."""
        serializer = OutcomeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        program = _visible_program(request.user, serializer.validated_data["program"])
        if not can_request_outcomes(request.user, program):
            raise NotFound
        count = services.outcomes_request_now(
            program=program,
            wave=serializer.validated_data["wave"],
            who=serializer.validated_data["who"],
            actor=request.user,
        )
        return Response({"requested": count})


class RegistryStatsView(APIView):
    """Figures of the register. The office gets everything (over time, backlog, time to
    verify); everyone else, signed in or not, the public aggregates with counts under 5
    suppressed (null, listed in `suppressed`)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response(registry_stats(public=not is_office(request.user)))


class ProgramFunnelView(APIView):
    """applied → eligible → stage 1 → stage 2 → completed, with attendance and outcome response
    rates (the office and the programme's partner)."""

    @extend_schema(responses={200: dict})
    def get(self, request, program_pk: int):
        return Response(funnel(program=_program_for_reports(request.user, program_pk)))


class ProgramImpactView(APIView):
    """The impact report: per figure, track and group (stage-2 participants, stage-1-only
    participants, eligible applicants not selected) the median and quartiles of the change
    from the baseline to the end-line (or `?after=followup`), with counts. A comparison, not a
    proof of cause."""

    @extend_schema(
        parameters=[
            OpenApiParameter("after", enum=[OutcomeWave.ENDLINE, OutcomeWave.FOLLOWUP]),
        ],
        responses={200: dict},
    )
    def get(self, request, program_pk: int):
        program = _program_for_reports(request.user, program_pk)
        after = request.query_params.get("after") or OutcomeWave.ENDLINE
        if after not in (OutcomeWave.ENDLINE, OutcomeWave.FOLLOWUP):
            raise serializers.ValidationError({"after": [_("Choose endline or followup.")]})
        return Response(impact_report(program=program, after=after))


__all__ = [
    "AttendanceViewSet",
    "OutcomeViewSet",
    "ParticipantViewSet",
    "ProgramFunnelView",
    "ProgramImpactView",
    "ProgramSessionViewSet",
    "RegistryStatsView",
]
