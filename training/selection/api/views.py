"""API of review and selection. Same services, same scoping functions as the pages; what a
user may not see is a 404 for them."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from ikm_portal.core.exceptions import ApplicationError

from ... import selectors as training_selectors
from ... import services as training_services
from ...choices import AccessChannel
from ...models import Application, Stage, Track
from .. import selectors, services
from ..filtersets import (
    AssignmentFilterSet,
    ReviewFilterSet,
    SelectionRunFilterSet,
    StageDecisionFilterSet,
)
from ..models import Review
from ..permissions import can_preview, can_publish, can_respond, can_see_assignments
from .serializers import (
    AdjustSerializer,
    ApplicantStageSerializer,
    AssignmentCreateSerializer,
    AssignmentSerializer,
    AutoAssignResultSerializer,
    AutoAssignSerializer,
    DecisionSerializer,
    RerunSerializer,
    RespondSerializer,
    ReviewSerializer,
    RunSerializer,
    SelectionRequestSerializer,
    SelectionSerializer,
)

STAGE_PARAMETERS = [
    OpenApiParameter("program_pk", OpenApiTypes.INT, OpenApiParameter.PATH),
    OpenApiParameter("order", OpenApiTypes.INT, OpenApiParameter.PATH),
]


def _stage(request, program_pk, order) -> Stage:
    """The stage, if the user may open the programme's selection pages at all."""
    return get_object_or_404(
        selectors.stage_list(user=request.user), program_id=program_pk, order=order
    )


def _log_partner_views(request, reviews, channel) -> None:
    training_services.data_access_record(
        user=request.user,
        applications=[r.application for r in reviews],
        channel=channel,
        path=request.get_full_path(),
    )


# --- Reviews -------------------------------------------------------------------------------------


class ReviewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reviews. A reviewer writes the review of an application assigned to them (POST with
    `application` and `stage`, or PATCH their review) until the stage's review deadline; `draft:
    true` saves without submitting. `conflict_of_interest: true` (with the reason in `comment`)
    hands the assignment to someone else; `abstain: true` withdraws. A reviewer reads their own
    reviews, and the others' submitted reviews of their applications as the stage allows; never
    another reviewer's unsubmitted review."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilterSet
    ordering_fields = ["created_at", "submitted_at", "total"]
    ordering = ["stage_id", "application_id", "id"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return (
            selectors.review_list(user=self.request.user)
            .select_related(
                "application__program",
                "application__enterprise",
                "application__enterprise__kecamatan",
                "application__enterprise__kelurahan",
            )
            .prefetch_related("application__enterprise__products")
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        _log_partner_views(request, page, AccessChannel.API_LIST)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        review = self.get_object()
        _log_partner_views(request, [review], AccessChannel.API_DETAIL)
        return Response(self.get_serializer(review).data)

    def _act(self, review: Review, data: dict, *, partial: bool) -> Review:
        user = self.request.user
        if data.get("conflict_of_interest"):
            return services.review_declare_conflict(
                review=review, actor=user, reason=data.get("comment", "")
            )
        if data.get("abstain"):
            return services.review_abstain(
                review=review, actor=user, reason=data.get("comment", "")
            )
        scores = data.get("scores", review.scores if partial else {})
        comment = data["comment"] if "comment" in self.request.data else review.comment
        return services.review_save(
            review=review,
            actor=user,
            scores=scores,
            comment=comment,
            submit=not data.get("draft", False),
        )

    def _fresh(self, review):
        return self.get_queryset().get(pk=review.pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = (
            Review.objects.filter(
                reviewer=request.user,
                application_id=data["application_id"],
                stage__order=data["stage"]["order"],
            )
            .select_related("stage")
            .first()
        )
        if review is None:
            raise ApplicationError(
                field_errors={
                    "application": [
                        "You are not assigned to review this application at this stage."
                    ]
                }
            )
        review = self._act(review, data, partial=False)
        return Response(
            self.get_serializer(self._fresh(review)).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        review = self.get_object()
        if review.reviewer_id != request.user.pk:
            raise PermissionDenied
        serializer = self.get_serializer(review, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        review = self._act(review, serializer.validated_data, partial=partial or True)
        return Response(self.get_serializer(self._fresh(review)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("program", OpenApiTypes.INT),
            OpenApiParameter("stage", OpenApiTypes.INT),
        ],
        responses={200: ReviewSerializer, 204: None},
    )
    @action(detail=False, methods=["get"])
    def next(self, request):
        """The next review in your queue (fewest reviews of the application first); 204 when
        nothing waits."""
        query = NextReviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        stage = None
        if query.validated_data.get("program") and query.validated_data.get("stage"):
            stage = Stage.objects.filter(
                program_id=query.validated_data["program"], order=query.validated_data["stage"]
            ).first()
        review = selectors.next_review(user=request.user, stage=stage)
        if review is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        review = self._fresh(review)
        _log_partner_views(request, [review], AccessChannel.API_DETAIL)
        return Response(self.get_serializer(review).data)


class NextReviewQuerySerializer(serializers.Serializer):
    """The query of `reviews/next/`: bad values are a 400, never a failed query."""

    program = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    stage = serializers.IntegerField(required=False, min_value=1, max_value=32767)


# --- Assignments ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(parameters=STAGE_PARAMETERS),
    retrieve=extend_schema(parameters=STAGE_PARAMETERS),
    create=extend_schema(
        parameters=STAGE_PARAMETERS,
        request=AssignmentCreateSerializer,
        responses={201: AssignmentSerializer(many=True)},
    ),
    destroy=extend_schema(parameters=STAGE_PARAMETERS),
)
class AssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Who reviews which application at a stage: the office and the programme's partner
    manager assign by hand (`{application, reviewer}`), in bulk (`{applications, reviewers}`),
    or automatically (`auto/`: N reviewers per application, load balanced, never a reviewer
    linked to the applicant or with a declared conflict)."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
    ordering = ["application_id", "id"]
    lookup_value_regex = r"\d+"

    def get_stage(self) -> Stage:
        if not hasattr(self, "_stage_obj"):
            stage = _stage(self.request, self.kwargs["program_pk"], self.kwargs["order"])
            if not can_see_assignments(self.request.user, stage.program):
                raise NotFound
            self._stage_obj = stage
        return self._stage_obj

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Review.objects.none()
        return selectors.assignment_list(user=self.request.user).filter(stage=self.get_stage())

    def _users(self, ids):
        users = get_user_model().objects.in_bulk(set(ids))
        missing = sorted(set(ids) - set(users))
        if missing:
            raise ApplicationError(
                field_errors={"reviewer": [f"Unknown user: {', '.join(map(str, missing))}."]}
            )
        return [users[i] for i in ids]

    def _applications(self, stage, ids):
        found = Application.objects.filter(program_id=stage.program_id).in_bulk(set(ids))
        missing = sorted(set(ids) - set(found))
        if missing:
            raise ApplicationError(
                field_errors={
                    "application": [
                        f"Not an application of this programme: {', '.join(map(str, missing))}."
                    ]
                }
            )
        return [found[i] for i in ids]

    def create(self, request, *args, **kwargs):
        stage = self.get_stage()
        serializer = AssignmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "application" in data:
            (application,) = self._applications(stage, [data["application"]])
            (reviewer,) = self._users([data["reviewer"]])
            review = services.assignment_create(
                stage=stage, application=application, reviewer=reviewer, actor=request.user
            )
            rows = [review]
        else:
            applications = self._applications(stage, data["applications"])
            reviewers = self._users(data["reviewers"])
            services.assignments_bulk(
                stage=stage, applications=applications, reviewers=reviewers, actor=request.user
            )
            rows = self.get_queryset().filter(application__in=applications, reviewer__in=reviewers)
        rows = self.get_queryset().filter(pk__in=[r.pk for r in rows])
        return Response(AssignmentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.assignment_remove(review=instance, actor=self.request.user)

    @extend_schema(
        parameters=STAGE_PARAMETERS,
        request=AutoAssignSerializer,
        responses=AutoAssignResultSerializer,
    )
    @action(detail=False, methods=["post"])
    def auto(self, request, *args, **kwargs):
        stage = self.get_stage()
        serializer = AutoAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        reviewers = self._users(data["reviewers"]) if data.get("reviewers") else None
        result = services.assignments_auto(
            stage=stage,
            actor=request.user,
            reviewers=reviewers,
            per_application=data.get("reviewers_per_application"),
        )
        return Response(AutoAssignResultSerializer(result).data)


# --- The selection of a stage --------------------------------------------------------------------


class _StageView(APIView):
    def stage(self, request, program_pk, order) -> Stage:
        stage = _stage(request, program_pk, order)
        if not can_preview(request.user, stage.program):
            raise NotFound
        return stage

    @staticmethod
    def body(run) -> dict:
        return SelectionSerializer(run).data


class SelectionView(_StageView):
    """The selection of a stage: `GET` the staged preview (or the published result); `POST`
    `{seed?, params?}` computes the preview again. Office staff, and the partner manager of a
    programme they co-manage."""

    @extend_schema(parameters=STAGE_PARAMETERS, responses=SelectionSerializer)
    def get(self, request, program_pk, order):
        stage = self.stage(request, program_pk, order)
        return Response(self.body(selectors.selection_current(stage)))

    @extend_schema(
        parameters=STAGE_PARAMETERS,
        request=SelectionRequestSerializer,
        responses=SelectionSerializer,
    )
    def post(self, request, program_pk, order):
        stage = self.stage(request, program_pk, order)
        serializer = SelectionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.selection_preview(
            stage=stage,
            actor=request.user,
            seed=serializer.validated_data.get("seed"),
            params=serializer.validated_data.get("params"),
        )
        return Response(self.body(run))


class SelectionAdjustView(_StageView):
    """Set one applicant's decision by hand, with the reason they will read
    (`{application, decision, track?, reason}`; `decision: "auto"` removes it)."""

    @extend_schema(
        parameters=STAGE_PARAMETERS, request=AdjustSerializer, responses=SelectionSerializer
    )
    def post(self, request, program_pk, order):
        stage = self.stage(request, program_pk, order)
        serializer = AdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = Application.objects.filter(
            pk=data["application"], program_id=stage.program_id
        ).first()
        if application is None:
            raise ApplicationError(
                field_errors={"application": ["Not an application of this programme."]}
            )
        track = None
        if data.get("track"):
            track = Track.objects.filter(pk=data["track"], program_id=stage.program_id).first()
            if track is None:
                raise ApplicationError(field_errors={"track": ["Not a track of this programme."]})
        run = services.selection_adjust(
            stage=stage,
            actor=request.user,
            application=application,
            decision=data["decision"],
            track=track,
            reason=data["reason"],
        )
        return Response(self.body(run))


class SelectionPublishView(_StageView):
    """Publish the staged preview: every decision at once, one notification per applicant."""

    @extend_schema(parameters=STAGE_PARAMETERS, request=None, responses=SelectionSerializer)
    def post(self, request, program_pk, order):
        stage = self.stage(request, program_pk, order)
        if not can_publish(request.user, stage.program):
            raise PermissionDenied
        run = services.selection_publish(stage=stage, actor=request.user)
        return Response(self.body(run))


# --- Offers and what an applicant reads ----------------------------------------------------------


def _application(request, pk) -> Application:
    return get_object_or_404(
        training_selectors.application_list(user=request.user).select_related("enterprise__owner"),
        pk=pk,
    )


class RespondView(APIView):
    """The owner accepts (`{accept: true}`) or declines (`{accept: false}`) their open offer
    before its deadline. 409 when there is no open offer, the deadline has passed or the seats
    are full."""

    @extend_schema(
        parameters=[OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=RespondSerializer,
        responses=DecisionSerializer,
    )
    def post(self, request, pk):
        application = _application(request, pk)
        if not can_respond(request.user, application):
            raise PermissionDenied
        serializer = RespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = services.offer_respond(
            application=application,
            actor=request.user,
            accept=serializer.validated_data["accept"],
        )
        decision = selectors.decision_list(user=request.user).get(pk=decision.pk)
        return Response(DecisionSerializer(decision).data)


class ApplicantSelectionView(APIView):
    """An application's selection, stage by stage: status, track, score band, rank band and
    reason. Never another applicant's data."""

    @extend_schema(
        parameters=[OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=inline_serializer(
            "ApplicantSelection",
            fields={
                "application": serializers.IntegerField(),
                "stages": ApplicantStageSerializer(many=True),
            },
        ),
    )
    def get(self, request, pk):
        application = _application(request, pk)
        rows = selectors.applicant_results(application=application)
        visible = set(
            selectors.decision_list(user=request.user)
            .filter(application=application)
            .values_list("pk", flat=True)
        )
        for row in rows:
            if row["decision"] is not None and row["decision"].pk not in visible:
                row.update(decision=None, score_band="", rank_band="", reason="", note="")
        return Response(
            {
                "application": application.pk,
                "stages": ApplicantStageSerializer(rows, many=True).data,
            }
        )


class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Published decisions and their offers: the office all; a partner's members those of their
    programmes (applicants who consented to share); an owner their own."""

    serializer_class = DecisionSerializer
    filterset_class = StageDecisionFilterSet
    ordering_fields = ["rank", "status", "response_deadline"]
    ordering = ["stage_id", "rank"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.decision_list(user=self.request.user)


class SelectionRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Selection runs: who computed and published what, with the parameters, the seed, the
    candidates and the full ranked result. `rerun/` computes a run again from what it
    recorded."""

    serializer_class = RunSerializer
    filterset_class = SelectionRunFilterSet
    ordering = ["-created_at", "-id"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.run_list(user=self.request.user)

    @extend_schema(request=None, responses=RerunSerializer)
    @action(detail=True, methods=["post"])
    def rerun(self, request, pk=None):
        run = self.get_object()
        result = services.selection_rerun(run)
        return Response(RerunSerializer(result).data)
