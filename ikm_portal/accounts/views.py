from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from ikm_portal.core.exceptions import ApplicationError

from . import services, twofactor
from .choices import Language
from .forms import (
    EmailAuthenticationForm,
    OTPCodeForm,
    OutboxPasswordResetForm,
    PasswordConfirmForm,
    ProfileForm,
    SignupForm,
    TOTPConfirmForm,
)
from .models import User
from .security import lockout_response


def remember_language(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response


def signup(request):
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
                language=translation.get_language() or "id",
            )
        except ApplicationError as exc:
            for field, errors in exc.field_errors.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("core:dashboard")
    return render(request, "accounts/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.two_factor_enabled(user):
            # Second step: the session is not signed in until the code is verified.
            twofactor.pending_login_start(self.request, user, self.get_success_url())
            return redirect("accounts:login_verify")
        response = super().form_valid(form)
        return remember_language(response, user.language) if user.language else response


@never_cache
def login_verify(request):
    """The second step of signing in: the code from the authenticator app or a recovery code.
    A wrong code counts towards the lock-out like a wrong password."""
    pending = twofactor.pending_login(request)
    user = None
    if pending is not None:
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        twofactor.pending_login_clear(request)
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    if twofactor.two_factor_locked(request, user):
        return lockout_response(request)
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is None:
            twofactor.two_factor_failed(request, user)
            form.add_error("code", _("The code is not correct."))
        else:
            twofactor.pending_login_clear(request)
            user.otp_device = device  # django-otp marks the new session verified at login
            login(request, user, backend=pending["backend"])
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _("You used a recovery code; %(count)d left. Renew them in your profile.")
                    % {"count": twofactor.recovery_codes_left(user)},
                )
            response = redirect(pending["next"] or settings.LOGIN_REDIRECT_URL)
            return remember_language(response, user.language) if user.language else response
    return render(request, "accounts/login_verify.html", {"form": form})


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=form.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.user_update_profile(
            user=request.user,
            full_name=form.cleaned_data["full_name"],
            phone=form.cleaned_data["phone"] or "",
            language=form.cleaned_data["language"],
        )
        translation.activate(user.language)
        messages.success(request, _("Your profile has been saved."))
        return remember_language(redirect("accounts:profile"), user.language)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "two_factor_offered": twofactor.may_use_two_factor(request.user)},
    )


@require_POST
def set_language(request):
    """Language switcher: remembered in a cookie, and in the profile of a signed-in user."""
    language = request.POST.get("language")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    if language in Language.values:
        services.user_set_language(user=request.user, language=language)
        remember_language(response, language)
    return response


# --- Two-factor sign-in (profile) -------------------------------------------------------------


def _two_factor_user(request):
    if not twofactor.may_use_two_factor(request.user):
        raise Http404
    return request.user


def _show_codes(request, codes):
    response = render(request, "accounts/two_factor_codes.html", {"codes": codes})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def two_factor(request):
    user = _two_factor_user(request)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": twofactor.two_factor_enabled(user),
            "required": twofactor.two_factor_required(user),
            "codes_left": twofactor.recovery_codes_left(user),
            # Two forms on one page: prefixes keep their field ids apart.
            "renew_form": PasswordConfirmForm(user=user, prefix="renew"),
            "disable_form": PasswordConfirmForm(user=user, prefix="off"),
        },
    )


@login_required
@never_cache
def two_factor_setup(request):
    user = _two_factor_user(request)
    if twofactor.two_factor_enabled(user):
        return redirect("accounts:two_factor")
    device = twofactor.totp_enrol_start(user=user)
    form = TOTPConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.totp_enrol_confirm(user=user, code=form.cleaned_data["code"])
        if codes is None:
            form.add_error(
                "code",
                _("The code is not correct. Check that the time on your phone is right."),
            )
        else:
            device.refresh_from_db()
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is on."))
            return _show_codes(request, codes)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": twofactor.totp_qr_data_uri(device),
            "secret": twofactor.totp_secret(device),
            "required": twofactor.two_factor_required(user),
        },
    )


@login_required
@require_POST
def two_factor_disable(request):
    user = _two_factor_user(request)
    form = PasswordConfirmForm(request.POST, user=user, prefix="off")
    if form.is_valid():
        twofactor.two_factor_disable(user=user, actor=user)
        messages.success(request, _("Two-factor sign-in is off."))
    else:
        messages.error(request, " ".join(form.errors["password"]))
    return redirect("accounts:two_factor")


@login_required
@require_POST
def two_factor_recovery(request):
    user = _two_factor_user(request)
    if not twofactor.two_factor_enabled(user):
        return redirect("accounts:two_factor")
    form = PasswordConfirmForm(request.POST, user=user, prefix="renew")
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["password"]))
        return redirect("accounts:two_factor")
    return _show_codes(request, twofactor.recovery_codes_regenerate(user=user))
