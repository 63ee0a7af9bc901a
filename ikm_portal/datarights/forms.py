from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import RequestKind


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you ask for?"), choices=RequestKind.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For a correction: which data is wrong and what is right. For an erasure: "
            "anything the office should know (optional)."
        ),
    )


class AnswerForm(forms.Form):
    response = forms.CharField(
        label=_("Answer to the owner"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to the owner with the outcome. Required to finish or refuse."),
    )


class UnmaskForm(forms.Form):
    """Why a full NIK is needed: recorded in the access log with who and when."""

    reason = forms.CharField(
        label=_("Reason for showing the full NIK"),
        min_length=5,
        max_length=500,
        help_text=_("Recorded in the personal data access log, with your name and the time."),
    )
