from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Consent per purpose and the versioned privacy notice (UU 27/2022). Hook it offers:

    - ``consent_changed(consent, given, actor)`` on an AppConfig: called inside the transaction of
      every consent given or withdrawn through this app's services, so an app that keeps its
      own copy of the state (training's per-application sharing flag) follows it.
    """

    name = "ikm_portal.privacy"
    label = "privacy"
    verbose_name = _("Privacy")
    demo_module = "ikm_portal.privacy.demo"
    role_permissions = {
        "office_staff": ["privacy.view_consent", "privacy.view_privacynotice"],
    }

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from ikm_portal.api import router

        from .api.views import ConsentViewSet, NoticeView
        from .middleware import flag_reacknowledgement

        user_logged_in.connect(flag_reacknowledgement, dispatch_uid="privacy.reacknowledge")
        router.register("privacy/consents", ConsentViewSet, basename="consent")
        router.register_view("privacy/notice", NoticeView, name="privacy-notice")

    def nav_items(self, user):
        from django.urls import reverse

        from ikm_portal.core.extensions import NavItem

        if user is None or not user.is_authenticated or not getattr(user, "is_owner", False):
            return []
        return [NavItem(label=_("My consents"), url=reverse("privacy:consents"), order=85)]
