"""The one DRF router under /api/v1/. Each app registers its viewsets and views from its
AppConfig.ready(), so the platform never imports a domain app."""

from django.urls import path
from rest_framework.routers import DefaultRouter


class PortalRouter(DefaultRouter):
    include_format_suffixes = False

    def __init__(self):
        super().__init__()
        self._views: list = []

    def register_view(self, prefix: str, view, name: str):
        """Register a plain APIView (not a viewset) at ``<prefix>/``."""
        self._views.append(path(f"{prefix.strip('/')}/", view.as_view(), name=name))

    def get_urls(self):
        # Plain views first: a fixed path such as "enterprises/export/" must win over the
        # viewset's "enterprises/<pk>/" pattern.
        return [*self._views, *super().get_urls()]


router = PortalRouter()
