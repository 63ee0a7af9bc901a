"""The API routes of review and selection, registered on the platform's one router."""

STAGE = r"programs/(?P<program_pk>\d+)/stages/(?P<order>\d+)"
STAGE_PATH = "programs/<int:program_pk>/stages/<int:order>"


def register(router) -> None:
    from .views import (
        ApplicantSelectionView,
        AssignmentViewSet,
        DecisionViewSet,
        RespondView,
        ReviewViewSet,
        SelectionAdjustView,
        SelectionPublishView,
        SelectionRunViewSet,
        SelectionView,
    )

    router.register("reviews", ReviewViewSet, basename="review")
    router.register(f"{STAGE}/assignments", AssignmentViewSet, basename="stage-assignment")
    router.register_view(f"{STAGE_PATH}/selection", SelectionView, name="stage-selection")
    router.register_view(
        f"{STAGE_PATH}/selection/adjust", SelectionAdjustView, name="stage-selection-adjust"
    )
    router.register_view(
        f"{STAGE_PATH}/selection/publish", SelectionPublishView, name="stage-selection-publish"
    )
    router.register_view("applications/<int:pk>/respond", RespondView, name="application-respond")
    router.register_view(
        "applications/<int:pk>/selection", ApplicantSelectionView, name="application-selection"
    )
    router.register("decisions", DecisionViewSet, basename="decision")
    router.register("selection-runs", SelectionRunViewSet, basename="selection-run")
