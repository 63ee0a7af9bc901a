from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.notice, name="notice"),
    path("versions/<str:version>/", views.notice_version, name="notice_version"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
    path("consents/", views.my_consents, name="consents"),
    path("consents/news/", views.news_give, name="news_give"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
]
