from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.inbox_read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:pk>/", views.inbox_detail, name="detail"),
    path("<int:pk>/read/", views.inbox_read, name="read"),
    path("log/", views.log_list, name="log"),
    path("log/<int:pk>/", views.log_detail, name="log_detail"),
    path("log/<int:pk>/resend/", views.log_resend, name="log_resend"),
    path("log/<int:pk>/cancel/", views.log_cancel, name="log_cancel"),
]
