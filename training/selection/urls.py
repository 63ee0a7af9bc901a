"""Pages of review and selection, included into the ``training`` namespace (under /programs/)."""

from django.urls import path

from . import views

STAGE = "<int:pk>/stages/<int:order>"

urlpatterns = [
    path("selection/", views.selection_home, name="selection_home"),
    path("selection/mine/", views.selection_mine, name="selection_mine"),
    path("selection/runs/<int:run_id>/", views.run_detail, name="selection_run"),
    path(f"{STAGE}/", views.stage_detail, name="selection_stage"),
    path(f"{STAGE}/settings/", views.stage_settings, name="selection_settings"),
    path(f"{STAGE}/assignments/", views.stage_assignments, name="selection_assignments"),
    path(f"{STAGE}/selection/", views.stage_selection, name="selection_preview"),
    path(f"{STAGE}/selection/publish/", views.stage_publish, name="selection_publish"),
    path(f"{STAGE}/decisions/", views.stage_decisions, name="selection_decisions"),
    path("reviews/", views.review_queue, name="review_queue"),
    path("reviews/next/", views.review_next, name="review_next"),
    path("reviews/<int:review_id>/", views.review_detail, name="review_detail"),
    path("reviews/<int:review_id>/conflict/", views.review_conflict, name="review_conflict"),
    path("reviews/<int:review_id>/abstain/", views.review_abstain, name="review_abstain"),
    path(
        "applications/<int:pk>/selection/",
        views.applicant_selection,
        name="selection_mine_detail",
    ),
    path("applications/<int:pk>/respond/", views.applicant_respond, name="selection_respond"),
]
