from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    # Owners
    path("", views.mine, name="mine"),
    path("register/", views.register_new, name="register"),
    path("business/<int:pk>/step/<slug:step>/", views.register_step, name="step"),
    path("business/<int:pk>/continue/", views.register_resume, name="resume"),
    path("business/<int:pk>/review/", views.review, name="review"),
    path("business/<int:pk>/", views.detail, name="detail"),
    path("business/<int:pk>/change/", views.change_request_new, name="change_request_new"),
    path("business/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("documents/<int:doc_pk>/", views.document_download, name="document_download"),
    path("documents/<int:doc_pk>/remove/", views.document_remove, name="document_remove"),
    path("claim/", views.claim, name="claim"),
    path("kelurahan-options/", views.kelurahan_options, name="kelurahan_options"),
    # Office staff
    path("queue/", views.queue, name="queue"),
    path("list/", views.register_list, name="list"),
    path("list/export/", views.register_export, name="export"),
    path("business/<int:pk>/action/<slug:action>/", views.action, name="action"),
    path("business/<int:pk>/unmask-nik/", views.nik_unmask, name="nik_unmask"),
    path("business/<int:pk>/facilitation/", views.facilitation_add, name="facilitation_add"),
    path("facilitation/<int:record_pk>/", views.facilitation_edit, name="facilitation_edit"),
    path("business/<int:pk>/merge/<int:other_pk>/", views.merge, name="merge"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path(
        "duplicates/<int:flag_pk>/not-duplicate/",
        views.duplicate_dismiss,
        name="duplicate_dismiss",
    ),
    path("change-requests/", views.change_requests, name="change_requests"),
    path(
        "change-requests/<int:cr_pk>/",
        views.change_request_detail,
        name="change_request_detail",
    ),
    path("claims/", views.claims, name="claims"),
    path("claims/<int:claim_pk>/decide/", views.claim_decide, name="claim_decide"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/template.xlsx", views.import_template, name="import_template"),
    path("imports/<int:job_pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:job_pk>/errors.csv", views.import_errors_csv, name="import_errors"),
    path("sentra/", views.sentra_list, name="sentra_list"),
    path("sentra/new/", views.sentra_edit, name="sentra_new"),
    path("sentra/<int:sentra_pk>/", views.sentra_edit, name="sentra_edit"),
]
