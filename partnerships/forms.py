"""Forms validate input only; the views hand the cleaned data to the services."""

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ikm_portal.accounts.models import User
from ikm_portal.core.uploads import validate_upload

from .choices import (
    MemberRole,
)
from .models import Agreement, Partner


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class PartnerForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    class Meta:
        model = Partner
        fields = [
            "name",
            "kind",
            "description",
            "address",
            "contact_person",
            "email",
            "phone",
            "website",
            "active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo:
            validate_upload(logo, kind="logo")
        return logo or None

    def validate_unique(self):
        # The service checks uniqueness and says so on the field.
        pass


class AgreementForm(forms.ModelForm):
    document = forms.FileField(
        label=_("Signed agreement (PDF)"),
        required=False,
        help_text=_("PDF only, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    class Meta:
        model = Agreement
        fields = ["partner", "number", "title", "scope", "signed_on", "valid_from", "valid_to"]
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 4}),
            "signed_on": DateInput(),
            "valid_from": DateInput(),
            "valid_to": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(active=True)
        if self.instance.pk:
            # An agreement stays with the partner it was signed with.
            self.fields["partner"].disabled = True
            self.fields["partner"].queryset = Partner.objects.all()

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document:
            validate_upload(document, kind="agreement")
        return document or None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end date must not be before the start date."))
        return cleaned

    def validate_unique(self):
        pass


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)

    def __init__(self, *args, can_invite_managers: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_invite_managers:
            self.fields["role"].choices = [(MemberRole.REVIEWER, MemberRole.REVIEWER.label)]
            self.fields["role"].initial = MemberRole.REVIEWER
            self.fields["role"].widget = forms.HiddenInput()


class InvitationSignupForm(forms.Form):
    """A new account for the invited address: the e-mail comes from the invitation."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common or all-numeric password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use and the privacy notice."),
        error_messages={"required": _("You must accept the terms and the privacy notice.")},
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_phone(self):
        from ikm_portal.core.validators import normalize_phone

        value = self.cleaned_data.get("phone")
        return normalize_phone(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            probe = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
