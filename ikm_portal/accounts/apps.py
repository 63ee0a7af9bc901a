from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ikm_portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    demo_module = "ikm_portal.accounts.demo"
    role_permissions = {
        "office_staff": ["accounts.view_user"],
    }

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from ikm_portal.api import router

        from . import roles
        from .api.views import MeView, SignupView, TokenView
        from .security import stamp_session

        roles.connect()
        user_logged_in.connect(stamp_session, dispatch_uid="accounts.stamp_session")
        router.register_view("auth/token", TokenView, name="auth-token")
        router.register_view("accounts/signup", SignupView, name="accounts-signup")
        router.register_view("accounts/me", MeView, name="accounts-me")
