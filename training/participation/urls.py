"""Pages of participation, included in training/urls.py (namespace "training", under
/programs/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("my-training/", views.participation_mine, name="participation_mine"),
    path("reports/", views.office_dashboard, name="office_dashboard"),
    path("partner/reports/", views.partner_dashboard, name="partner_dashboard"),
    path("<int:pk>/participation/", views.program_participation, name="program_participation"),
    path("<int:pk>/report/", views.program_report, name="program_report"),
    path("<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("<int:pk>/participants/", views.participant_list, name="participant_list"),
    path(
        "<int:pk>/participants/complete/",
        views.participants_complete,
        name="participants_complete",
    ),
    path("<int:pk>/completion-rule/", views.completion_rule_edit, name="completion_rule"),
    path("<int:pk>/outcomes/", views.outcome_program, name="outcome_program"),
    path("<int:pk>/impact/", views.impact, name="impact"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/qr/", views.session_qr, name="session_qr"),
    path("sessions/<int:pk>/qr.svg", views.session_qr_svg, name="session_qr_svg"),
    path("sessions/<int:pk>/qr.json", views.session_qr_state, name="session_qr_state"),
    path("sessions/<int:pk>/checkin/", views.session_checkin, name="session_checkin"),
    path("participants/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("outcomes/<int:pk>/", views.outcome_answer, name="outcome_answer"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
]
