from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ikm_portal.core.exceptions import ApplicationError

from . import selectors, services
from .choices import ConsentChannel, ConsentContext, Purpose
from .middleware import SESSION_KEY
from .models import PrivacyNotice
from .permissions import can_withdraw, consents_visible_to


def retention_periods() -> list[tuple[str, str]]:
    """What is kept how long, from settings (docs/security.md)."""
    r = settings.PRIVACY_RETENTION
    return [
        (
            _("Register of IKM (business and owner data)"),
            _("as long as the business is registered, then %(years)s years after it is archived")
            % {"years": r["registry_years"]},
        ),
        (
            _("Business registrations left in draft or rejected"),
            _("%(days)s days, then anonymised") % {"days": r["draft_days"]},
        ),
        (
            _("Programme applications, attendance and certificates"),
            _("%(years)s years after the programme ends") % {"years": r["programme_years"]},
        ),
        (
            _("Records of consent and of who viewed your data"),
            _("%(years)s years") % {"years": r["log_years"]},
        ),
    ]


def _notice_context(notice) -> dict:
    return {
        "notice": notice,
        "version": notice.version if notice else selectors.notice_current_version(),
        "purposes": Purpose.choices,
        "retention": retention_periods(),
        "dpo": {
            "name": settings.PRIVACY_DPO_NAME,
            "email": settings.PRIVACY_DPO_EMAIL,
            "phone": settings.PRIVACY_DPO_PHONE,
        },
        "versions": PrivacyNotice.objects.order_by("-effective_on", "-id")[:20],
    }


def notice(request):
    """The public privacy page: the notice in force, the officer, purposes, retention, rights."""
    return render(request, "privacy/notice.html", _notice_context(selectors.notice_current()))


def notice_version(request, version: str):
    notice = get_object_or_404(PrivacyNotice, version=version)
    context = _notice_context(notice)
    context["is_past"] = notice.version != selectors.notice_current_version()
    return render(request, "privacy/notice.html", context)


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return "/dashboard/"
    return url


@login_required
def acknowledge(request):
    """The interstitial after sign-in when the notice changed: read, then "I have read it" or
    "Later"."""
    next_url = _next_url(request)
    if request.method == "POST":
        request.session.pop(SESSION_KEY, None)
        if request.POST.get("action") == "acknowledge":
            services.notice_acknowledge(user=request.user)
            messages.success(request, _("Thank you. You have read the current privacy notice."))
        return redirect(next_url)
    if not selectors.needs_reacknowledgement(user=request.user):
        request.session.pop(SESSION_KEY, None)
        return redirect(next_url)
    context = _notice_context(selectors.notice_current())
    context.update(
        {"next": next_url, "seen_version": selectors.acknowledged_version(user=request.user)}
    )
    return render(request, "privacy/acknowledge.html", context)


@login_required
def my_consents(request):
    return render(
        request,
        "privacy/consents.html",
        {
            "rows": selectors.consent_overview(user=request.user),
            "history": selectors.consent_list(user=request.user)[:50],
            "version": selectors.notice_current_version(),
            "needs_ack": selectors.needs_reacknowledgement(user=request.user),
            "Purpose": Purpose,
        },
    )


@login_required
@require_POST
def news_give(request):
    services.consent_give(
        user=request.user,
        purpose=Purpose.NEWS,
        context=ConsentContext.CONSENTS_PAGE,
        channel=ConsentChannel.PAGE,
        actor=request.user,
    )
    messages.success(request, _("You will receive news from the office."))
    return redirect("privacy:consents")


@login_required
def consent_withdraw(request, pk: int):
    """Withdraw one consent, after a confirmation step."""
    consent = get_object_or_404(consents_visible_to(request.user), pk=pk)
    if not can_withdraw(request.user, consent):
        raise Http404
    if request.method == "POST":
        try:
            services.consent_withdraw(
                consent=consent,
                actor=request.user,
                context=ConsentContext.CONSENTS_PAGE,
                channel=ConsentChannel.PAGE,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your consent has been withdrawn."))
        return redirect("privacy:consents")
    return render(request, "privacy/withdraw_confirm.html", {"consent": consent})
