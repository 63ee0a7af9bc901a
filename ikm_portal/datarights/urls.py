from django.urls import path, re_path

from . import views

app_name = "datarights"

urlpatterns = [
    path("access-log/", views.access_log, name="access_log"),
    path("mine/", views.mine, name="mine"),
    re_path(r"^mine/download\.(?P<fmt>json|pdf)$", views.download, name="download"),
    path("mine/who-saw/", views.who_saw_my_data, name="who_saw"),
    path("requests/", views.requests_queue, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/<str:action>/", views.request_action, name="request_action"),
]
