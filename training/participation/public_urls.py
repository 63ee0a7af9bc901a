"""Public pages (no sign-in): certificate verification and the statistics page. Included from
ikm_portal/urls.py at the site root (namespace "participation_public")."""

from django.urls import path

from . import views

app_name = "participation_public"

urlpatterns = [
    path("certificates/verify/", views.certificate_verify_form, name="certificate_verify_form"),
    path("certificates/verify/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("statistics/", views.public_statistics, name="statistics"),
]
