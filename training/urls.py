from django.urls import include, path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.program_list, name="program_list"),
    path("new/", views.program_create, name="program_create"),
    path("partner/", views.partner_home, name="partner_home"),
    path("<int:pk>/", views.program_detail, name="program_detail"),
    path("<int:pk>/edit/", views.program_edit, name="program_edit"),
    path("<int:pk>/tracks/", views.program_tracks, name="program_tracks"),
    path("<int:pk>/stages/", views.program_stages, name="program_stages"),
    path("<int:pk>/eligibility/", views.program_eligibility, name="program_eligibility"),
    path("<int:pk>/questions/", views.program_questions, name="program_questions"),
    path("<int:pk>/status/<slug:action>/", views.program_status, name="program_status"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/applications/", views.program_applications, name="program_applications"),
    path(
        "<int:pk>/applications/export/",
        views.program_applications_export,
        name="program_applications_export",
    ),
    path("applications/", views.my_applications, name="my_applications"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path(
        "applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"
    ),
    path(
        "applications/<int:pk>/consent/withdraw/",
        views.application_consent_withdraw,
        name="application_consent_withdraw",
    ),
    path("applications/<int:pk>/screen/", views.application_screen, name="application_screen"),
    path(
        "applications/<int:pk>/review/",
        views.application_start_review,
        name="application_start_review",
    ),
    path("applications/<int:pk>/files/<int:question_id>/", views.answer_file, name="answer_file"),
    path("", include("training.participation.urls")),
    path("", include("training.selection.urls")),  # review and selection (issue 6)
]
