"""Pages for partners, agreements and members. They call the same services as the API."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ikm_portal.core.exceptions import ApplicationError
from ikm_portal.core.selectors import activity_for
from ikm_portal.core.uploads import serve_upload

from . import selectors, services
from .choices import AgreementStatus, InvitationStatus, MemberRole
from .filtersets import AgreementFilterSet, PartnerFilterSet
from .forms import AgreementForm, InvitationForm, InvitationSignupForm, PartnerForm, ReasonForm
from .models import Partner
from .permissions import (
    agreements_visible_to,
    can_invite_role,
    can_manage_members,
    can_manage_partners,
    can_read_agreement_document,
    invitations_visible_to,
    members_visible_to,
    membership_of,
    partners_visible_to,
)


def form_error(form, exc: ApplicationError) -> None:
    """Show a service error on the form: on its field when the form has it, else on top."""
    placed = False
    for field, errors in exc.field_errors.items():
        errors = errors if isinstance(errors, list | tuple) else [errors]
        if field in form.fields:
            for error in errors:
                form.add_error(field, str(error))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _require_office(user) -> None:
    if not can_manage_partners(user):
        raise Http404


def _page(request, queryset, per_page: int = 25):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _serve_file(field_file, *, download_name: str, as_attachment: bool):
    # The shared upload response (type from the stored bytes, Content-Disposition, no caching).
    return serve_upload(field_file, download_name=download_name, inline=not as_attachment)


# --- Partners --------------------------------------------------------------------------------


@login_required
def partner_list(request):
    if not can_manage_partners(request.user):
        membership = membership_of(request.user)
        if membership is None:
            raise Http404
        return redirect("partnerships:partner_detail", pk=membership.partner_id)
    filterset = PartnerFilterSet(
        request.GET or None, queryset=selectors.partner_list(user=request.user)
    )
    page = _page(request, filterset.qs)
    return render(
        request,
        "partnerships/partner_list.html",
        {"filter": filterset, "page": page, "count": page.paginator.count},
    )


@login_required
def partner_create(request):
    _require_office(request.user)
    form = PartnerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        logo = data.pop("logo", None)
        try:
            partner = services.partner_create(actor=request.user, logo=logo, **data)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The partner has been saved."))
            return redirect("partnerships:partner_detail", pk=partner.pk)
    return render(request, "partnerships/partner_form.html", {"form": form})


@login_required
def partner_detail(request, pk: int):
    partner = get_object_or_404(partners_visible_to(request.user), pk=pk)
    user = request.user
    return render(
        request,
        "partnerships/partner_detail.html",
        {
            "partner": partner,
            "agreements": agreements_visible_to(user).filter(partner=partner),
            "members": selectors.member_list(user=user, partner=partner),
            "can_edit": can_manage_partners(user),
            "can_manage_members": can_manage_members(user, partner),
            "pending_invitations": selectors.pending_invitation_count(user=user, partner=partner)
            if can_manage_members(user, partner)
            else 0,
            "history": activity_for(target=partner)[:20] if can_manage_partners(user) else [],
        },
    )


@login_required
def partner_edit(request, pk: int):
    _require_office(request.user)
    partner = get_object_or_404(Partner, pk=pk)
    form = PartnerForm(request.POST or None, request.FILES or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        logo = data.pop("logo", None)
        try:
            services.partner_update(partner=partner, actor=request.user, data=data, logo=logo)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The partner has been saved."))
            return redirect("partnerships:partner_detail", pk=partner.pk)
    return render(request, "partnerships/partner_form.html", {"form": form, "partner": partner})


def partner_logo(request, pk: int):
    """Logos are public (they appear on programme pages) but live outside static/ like every
    upload and are served through this view."""
    partner = get_object_or_404(Partner, pk=pk, active=True)
    if not partner.logo:
        raise Http404
    name = partner.logo.name.rsplit("/", 1)[-1]
    response = _serve_file(partner.logo, download_name=name, as_attachment=False)
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- Members and invitations -------------------------------------------------------------------


@login_required
def partner_members(request, pk: int):
    partner = get_object_or_404(partners_visible_to(request.user), pk=pk)
    if not can_manage_members(request.user, partner):
        raise Http404
    can_invite_managers = can_invite_role(request.user, MemberRole.MANAGER)
    form = InvitationForm(request.POST or None, can_invite_managers=can_invite_managers)
    new_link = None
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        if not can_invite_role(request.user, role):
            raise PermissionDenied
        try:
            invitation, token = services.invitation_create(
                partner=partner, email=form.cleaned_data["email"], role=role, actor=request.user
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            new_link = services.invitation_link(token)
            messages.success(
                request,
                _("The invitation has been sent to %(email)s. It is valid for 7 days.")
                % {"email": invitation.email},
            )
            form = InvitationForm(can_invite_managers=can_invite_managers)
    return render(
        request,
        "partnerships/members.html",
        {
            "partner": partner,
            "members": selectors.member_list(user=request.user, partner=partner),
            "invitations": selectors.invitation_list(user=request.user, partner=partner)[:50],
            "form": form,
            "new_link": new_link,
            "InvitationStatus": InvitationStatus,
        },
    )


@login_required
def member_remove(request, pk: int, member_id: int):
    partner = get_object_or_404(partners_visible_to(request.user), pk=pk)
    if not can_manage_members(request.user, partner):
        raise Http404
    member = get_object_or_404(
        members_visible_to(request.user).select_related("user"), pk=member_id, partner=partner
    )
    if request.method == "POST":
        try:
            services.member_remove(member=member, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("%(name)s is no longer a member.") % {"name": member.user.full_name}
            )
        return redirect("partnerships:partner_members", pk=partner.pk)
    return render(
        request, "partnerships/member_remove.html", {"partner": partner, "member": member}
    )


@login_required
@require_POST
def invitation_revoke(request, pk: int, invitation_id: int):
    partner = get_object_or_404(partners_visible_to(request.user), pk=pk)
    invitation = get_object_or_404(
        invitations_visible_to(request.user), pk=invitation_id, partner=partner
    )
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The invitation has been withdrawn."))
    return redirect("partnerships:partner_members", pk=partner.pk)


def invitation_accept(request, token: str):
    """The link in the invitation e-mail. Signed in with the invited address: one button.
    Not signed in and no account yet: a short sign-up form. Otherwise: log in first."""
    try:
        invitation = services.invitation_lookup(token=token)
    except ApplicationError as exc:
        # Unknown tokens are a 404; used, withdrawn or expired ones say so (410 Gone).
        return render(
            request,
            "partnerships/invitation_invalid.html",
            {"message": exc.message},
            status=404 if exc.code == "invitation_invalid" else 410,
        )
    from ikm_portal.accounts.models import User

    user = request.user
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    form = None
    if not user.is_authenticated and not has_account:
        form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        try:
            if user.is_authenticated:
                member = services.invitation_accept(token=token, user=user)
            elif form is not None and form.is_valid():
                member = services.invitation_accept(
                    token=token,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                    phone=form.cleaned_data["phone"],
                    language=translation.get_language() or "id",
                )
                login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                member = None
        except ApplicationError as exc:
            if form is not None:
                form_error(form, exc)
            else:
                messages.error(request, str(exc.message))
        else:
            if member is not None:
                messages.success(
                    request,
                    _("Welcome! You are now a member of %(partner)s.")
                    % {"partner": member.partner.name},
                )
                return redirect("core:dashboard")
    return render(
        request,
        "partnerships/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "has_account": has_account,
            "email_matches": user.is_authenticated
            and user.email.lower() == invitation.email.lower(),
        },
    )


# --- Agreements --------------------------------------------------------------------------------


@login_required
def agreement_list(request):
    qs = selectors.agreement_list(user=request.user)
    if not can_manage_partners(request.user) and membership_of(request.user) is None:
        raise Http404
    filterset = AgreementFilterSet(request.GET or None, queryset=qs, user=request.user)
    page = _page(request, filterset.qs)
    return render(
        request,
        "partnerships/agreement_list.html",
        {
            "filter": filterset,
            "page": page,
            "count": page.paginator.count,
            "can_edit": can_manage_partners(request.user),
        },
    )


@login_required
def agreement_create(request):
    _require_office(request.user)
    initial = {}
    if request.GET.get("partner", "").isdigit():
        initial["partner"] = int(request.GET["partner"])
    form = AgreementForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            agreement = services.agreement_create(actor=request.user, **data)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The agreement has been saved as a draft."))
            return redirect("partnerships:agreement_detail", pk=agreement.pk)
    return render(request, "partnerships/agreement_form.html", {"form": form})


@login_required
def agreement_detail(request, pk: int):
    agreement = get_object_or_404(selectors.agreement_list(user=request.user), pk=pk)
    can_edit = can_manage_partners(request.user)
    return render(
        request,
        "partnerships/agreement_detail.html",
        {
            "agreement": agreement,
            "can_edit": can_edit and agreement.status != AgreementStatus.TERMINATED,
            "can_activate": can_edit
            and agreement.status in (AgreementStatus.DRAFT, AgreementStatus.EXPIRED),
            "can_terminate": can_edit and agreement.status != AgreementStatus.TERMINATED,
            "history": activity_for(target=agreement)[:20] if can_edit else [],
            "reason_form": ReasonForm(),
        },
    )


@login_required
def agreement_edit(request, pk: int):
    _require_office(request.user)
    agreement = get_object_or_404(selectors.agreement_list(user=request.user), pk=pk)
    form = AgreementForm(request.POST or None, request.FILES or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        document = data.pop("document", None)
        data.pop("partner", None)
        try:
            services.agreement_update(
                agreement=agreement, actor=request.user, data=data, document=document
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The agreement has been saved."))
            return redirect("partnerships:agreement_detail", pk=agreement.pk)
    return render(
        request, "partnerships/agreement_form.html", {"form": form, "agreement": agreement}
    )


@login_required
@require_POST
def agreement_activate(request, pk: int):
    _require_office(request.user)
    agreement = get_object_or_404(selectors.agreement_list(user=request.user), pk=pk)
    try:
        services.agreement_transition(
            agreement=agreement, to=AgreementStatus.ACTIVE, actor=request.user
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The agreement is now active."))
    return redirect("partnerships:agreement_detail", pk=agreement.pk)


@login_required
def agreement_terminate(request, pk: int):
    _require_office(request.user)
    agreement = get_object_or_404(selectors.agreement_list(user=request.user), pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_transition(
                agreement=agreement,
                to=AgreementStatus.TERMINATED,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The agreement has been terminated."))
            return redirect("partnerships:agreement_detail", pk=agreement.pk)
    return render(
        request, "partnerships/agreement_terminate.html", {"agreement": agreement, "form": form}
    )


@login_required
def agreement_document(request, pk: int):
    """The signed document: office staff and the partner's own members; a 404 for anyone else."""
    agreement = get_object_or_404(selectors.agreement_list(user=request.user), pk=pk)
    if not agreement.document or not can_read_agreement_document(request.user, agreement):
        raise Http404
    name = f"{agreement.number}.pdf".replace("/", "-").replace(" ", "_")
    return _serve_file(agreement.document, download_name=name, as_attachment=False)
