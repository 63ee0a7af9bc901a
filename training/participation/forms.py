"""Forms validate input only; views pass the cleaned data to the services."""

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from registry.choices import CertificationKind
from training.models import Stage, Track

from .choices import AttendanceStatus, MarketChannel, OutcomeWave, ParticipantStatus
from .models import CompletionRule, OutcomeSurvey


class DateTimeInput(forms.DateTimeInput):
    """The browser's local date-time picker; times are read in Asia/Jakarta (WIB)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(**kwargs)


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none())
    track = forms.ModelChoiceField(
        label=_("Only for track"),
        queryset=Track.objects.none(),
        required=False,
        empty_label=_("Every track"),
    )
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    online_link = forms.URLField(
        label=_("Online link"),
        max_length=500,
        assume_scheme="https",
        required=False,
        help_text=_("For online sessions; shown to participants only."),
    )
    facilitator = forms.CharField(label=_("Facilitator"), max_length=200, required=False)
    hours = forms.DecimalField(
        label=_("Training hours"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("The hours the certificate counts. Empty: the length of the session."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(program=program).order_by("order")
        self.fields["track"].queryset = Track.objects.filter(program=program).order_by(
            "position", "id"
        )
        first = self.fields["stage"].queryset.first()
        if first is not None and not self.is_bound:
            self.initial.setdefault("stage", first.pk)
        self.fields["place"].initial = program.venue


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=255, widget=forms.Textarea(attrs={"rows": 2})
    )


class AttendanceForm(forms.Form):
    """One radio group per participant (present / late / excused / absent), big enough for a
    thumb; "everyone present" is the starting point for a session that has begun."""

    def __init__(self, *args, participants, current: dict, default: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = list(participants)
        for participant in self.participants:
            self.fields[f"p{participant.pk}"] = forms.ChoiceField(
                label=participant.enterprise.name,
                choices=AttendanceStatus.choices,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                initial=current.get(participant.pk, default),
            )

    def rows(self):
        for participant in self.participants:
            yield participant, self[f"p{participant.pk}"]

    def marks(self) -> list[dict]:
        return [
            {"participant": p.pk, "status": self.cleaned_data[f"p{p.pk}"]}
            for p in self.participants
            if self.cleaned_data.get(f"p{p.pk}")
        ]


class CheckinForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown at the session"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}
        ),
    )
    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("token"):
            self.add_error("code", _("Enter the code shown on the screen."))
        return data


class ParticipantStatusForm(forms.Form):
    to = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (ParticipantStatus.ACTIVE, _("Active (start or reinstate)")),
            (ParticipantStatus.PAUSED, _("Paused")),
            (ParticipantStatus.DROPPED, _("Dropped out")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for pausing and dropping out; the owner reads it."),
    )


class CompleteForm(forms.Form):
    override = forms.BooleanField(
        label=_("Complete although the rule is not met (office decision)"), required=False
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompletionRuleForm(forms.ModelForm):
    class Meta:
        model = CompletionRule
        fields = [
            "min_attendance_percent",
            "require_endline",
            "follow_up_months",
            "signatory_name",
            "signatory_title",
        ]
        help_texts = {
            "min_attendance_percent": _(
                "Attended sessions ÷ sessions held (excused sessions not counted)."
            ),
            "follow_up_months": _("After the programme's end date."),
            "signatory_name": _("Printed under the signature line of the certificate."),
        }


REQUIRED = (
    "monthly_output",
    "output_unit",
    "unit_cost",
    "selling_price",
    "monthly_turnover",
    "workers",
)


class OutcomeForm(forms.ModelForm):
    certifications = forms.MultipleChoiceField(
        label=_("Certifications held now"),
        choices=CertificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    markets = forms.MultipleChoiceField(
        label=_("Where you sell now"),
        choices=MarketChannel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = OutcomeSurvey
        fields = [
            "monthly_output",
            "output_unit",
            "unit_cost",
            "selling_price",
            "monthly_turnover",
            "workers",
            "certifications",
            "markets",
            "what_changed",
        ]
        widgets = {
            "what_changed": forms.Textarea(attrs={"rows": 4}),
            "monthly_output": forms.NumberInput(attrs={"inputmode": "decimal", "min": 0}),
            "unit_cost": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "selling_price": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "monthly_turnover": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "workers": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        }
        help_texts = {
            "monthly_output": _("How much you produce in a usual month (a number)."),
            "output_unit": _("For example kg, pcs, pack, liter, dozen."),
            "unit_cost": _("Materials, packaging, energy and wages for one unit, in rupiah."),
            "selling_price": _("The usual price of one unit, in rupiah."),
            "monthly_turnover": _("Sales of a usual month, in rupiah."),
            "workers": _("Everyone who works in the business, you included."),
            "what_changed": _("What changed in your business, in your own words."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in REQUIRED:
            self.fields[name].required = True
        for name in ("monthly_output", "unit_cost", "selling_price", "monthly_turnover"):
            self.fields[name].validators.append(MinValueValidator(0))
        if self.instance and self.instance.wave == OutcomeWave.BASELINE:
            self.fields["what_changed"].label = _("Anything you would like to tell us (optional)")
            self.fields["what_changed"].help_text = ""


class OutcomeRequestForm(forms.Form):
    wave = forms.ChoiceField(label=_("Survey"), choices=OutcomeWave.choices)
    who = forms.ChoiceField(
        label=_("Ask"),
        choices=[
            ("participants", _("Participants")),
            ("comparison", _("Eligible applicants who were not selected")),
        ],
    )


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=20)
