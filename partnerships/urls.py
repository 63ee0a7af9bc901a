from django.urls import path

from . import views

app_name = "partnerships"

urlpatterns = [
    path("", views.partner_list, name="partner_list"),
    path("new/", views.partner_create, name="partner_create"),
    path("<int:pk>/", views.partner_detail, name="partner_detail"),
    path("<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("<int:pk>/logo/", views.partner_logo, name="partner_logo"),
    path("<int:pk>/members/", views.partner_members, name="partner_members"),
    path("<int:pk>/members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "<int:pk>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/activate/", views.agreement_activate, name="agreement_activate"),
    path("agreements/<int:pk>/terminate/", views.agreement_terminate, name="agreement_terminate"),
    path("agreements/<int:pk>/document/", views.agreement_document, name="agreement_document"),
]
