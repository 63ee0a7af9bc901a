"""Forms validate input only; views pass the cleaned data to the services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.uploads import upload_max_bytes
from partnerships.models import Agreement, Partner
from registry.choices import RegionLevel, SizeClass
from registry.models import Region

from .choices import (
    CHOICE_KINDS,
    LONG_TEXT_MAX,
    MAX_TRACK_CHOICES,
    SHORT_TEXT_MAX,
    ProgramMode,
    QuestionKind,
)
from .models import Program


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class DateTimeInput(forms.DateTimeInput):
    """The browser's local date-time picker; times are read in Asia/Jakarta (WIB)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(**kwargs)


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = [
            "title",
            "description",
            "partner",
            "agreement",
            "partner_can_manage",
            "venue_name",
            "venue_address",
            "mode",
            "opens_at",
            "closes_at",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "opens_at": DateTimeInput(),
            "closes_at": DateTimeInput(),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }
        help_texts = {
            "venue_name": _("e.g. PPK Sampoerna"),
            "venue_address": _("e.g. Sukorejo, Pasuruan"),
            "opens_at": _("Date and time in WIB (Asia/Jakarta)."),
            "closes_at": _("Date and time in WIB (Asia/Jakarta)."),
        }

    def __init__(self, *args, office: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(active=True)
        self.fields["agreement"].queryset = Agreement.objects.select_related("partner")
        self.fields["agreement"].label_from_instance = lambda a: f"{a.number} — {a.partner.name}"
        self.fields["agreement"].help_text = _("Optional; it must be one of the partner's.")
        self.fields["mode"].choices = ProgramMode.choices
        if not office:
            # What only the office decides.
            for name in ("partner", "agreement", "partner_can_manage"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        partner, agreement = cleaned.get("partner"), cleaned.get("agreement")
        if agreement and (partner is None or agreement.partner_id != partner.pk):
            self.add_error("agreement", _("The agreement must be one of the partner's agreements."))
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date must not be before the start date."))
        return cleaned

    def _post_clean(self):
        # The model's constraints are the service's and the database's job; the form must not
        # write the instance it was given.
        pass


class TrackForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Track"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    seats = forms.IntegerField(
        label=_("Seats"), min_value=0, required=False, help_text=_("Empty: no fixed number.")
    )


class StageForm(forms.Form):
    name = forms.CharField(label=_("Stage"), max_length=150)
    seats = forms.IntegerField(label=_("Seats"), min_value=1)
    response_deadline = forms.DateTimeField(
        label=_("Participants' response deadline"), required=False, widget=DateTimeInput()
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


TrackFormSet = forms.formset_factory(TrackForm, extra=1, can_delete=True)
StageFormSet = forms.formset_factory(StageForm, extra=1, can_delete=True)


def kecamatan_choices():
    return list(
        Region.objects.filter(
            level=RegionLevel.KECAMATAN, code__startswith=settings.REGION_CODE + "."
        )
        .order_by("name")
        .values_list("code", "name")
    )


class EligibilityForm(forms.Form):
    size_classes = forms.MultipleChoiceField(
        label=_("Size classes accepted"),
        choices=SizeClass.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any size class."),
    )
    kecamatan_codes = forms.MultipleChoiceField(
        label=_("Kecamatan accepted"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: anywhere in the office's region."),
    )
    kbli_divisions = forms.CharField(
        label=_("KBLI divisions accepted"),
        required=False,
        help_text=_("Two-digit divisions separated by commas, e.g. 10, 11, 13. Empty: any."),
    )
    min_years_operating = forms.IntegerField(
        label=_("Minimum years operating"), min_value=0, required=False
    )
    require_nib = forms.BooleanField(label=_("A NIB is required"), required=False)
    exclude_running_participants = forms.BooleanField(
        label=_("The owner is not already in a running programme"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kecamatan_codes"].choices = kecamatan_choices()

    def clean_kbli_divisions(self):
        raw = self.cleaned_data.get("kbli_divisions") or ""
        divisions = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
        bad = [d for d in divisions if not (d.isdigit() and len(d) == 2)]
        if bad:
            raise forms.ValidationError(
                _("A KBLI division is two digits, e.g. 10: %(bad)s") % {"bad": ", ".join(bad)}
            )
        return divisions


class QuestionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Question"), max_length=500)
    help_text = forms.CharField(label=_("Help text"), max_length=500, required=False)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a choice: one option per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    track = forms.TypedChoiceField(
        label=_("Only for the applicants of a track"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, track_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].choices = [("", _("All applicants")), *track_choices]

    def clean(self):
        cleaned = super().clean()
        options = [o.strip() for o in (cleaned.get("options") or "").splitlines() if o.strip()]
        if cleaned.get("kind") in CHOICE_KINDS and len(options) < 2:
            self.add_error("options", _("Give at least two options, one per line."))
        cleaned["options"] = options
        return cleaned


class BaseQuestionFormSet(forms.BaseFormSet):
    def __init__(self, *args, track_choices=(), **kwargs):
        self.track_choices = track_choices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "track_choices": self.track_choices}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            track_choices=self.track_choices,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form


QuestionFormSet = forms.formset_factory(
    QuestionForm, formset=BaseQuestionFormSet, extra=1, can_delete=True
)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApplyForm(forms.Form):
    enterprise = forms.ModelChoiceField(
        label=_("Business"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=_("Only your verified businesses can apply."),
    )

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        only = list(enterprises[:2])
        if len(only) == 1:
            self.fields["enterprise"].initial = only[0].pk


class ApplicationForm(forms.Form):
    """The owner's draft: 1 to 3 tracks in order of preference, the questions, the consent."""

    def __init__(self, *args, application, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        program = application.program
        tracks = [(t.pk, t.name) for t in program.tracks.all()]
        chosen = [c.track_id for c in application.track_choices.all()]
        labels = [_("First choice"), _("Second choice (optional)"), _("Third choice (optional)")]
        for i in range(MAX_TRACK_CHOICES):
            self.fields[f"track_{i + 1}"] = forms.TypedChoiceField(
                label=labels[i],
                choices=[("", "—"), *tracks],
                coerce=int,
                empty_value=None,
                required=False,
                initial=chosen[i] if i < len(chosen) else None,
            )
        answers = {a.question_id: a for a in application.answers.all()}
        self.question_fields = []
        for q in questions:
            name = f"q_{q.pk}"
            answer = answers.get(q.pk)
            initial = answer.value if answer else None
            field = _question_field(q, initial)
            if field is None:
                continue
            self.fields[name] = field
            self.question_fields.append((name, q, answer))
        if program.partner_id:
            self.fields["consent_share_with_partner"] = forms.BooleanField(
                label=_(
                    "I agree that my application and my business data (business, products, "
                    "location, size, my name and contact; NIK masked) are shared with %(partner)s "
                    "for this programme."
                )
                % {"partner": program.partner.name},
                required=False,
                initial=application.consent_share_with_partner,
                help_text=_("Required to submit. You may withdraw it later."),
            )

    def clean(self):
        cleaned = super().clean()
        picks = [cleaned.get(f"track_{i + 1}") for i in range(MAX_TRACK_CHOICES)]
        seen = set()
        for i, pick in enumerate(picks):
            if pick is None:
                continue
            if pick in seen:
                self.add_error(f"track_{i + 1}", _("Choose each track only once."))
            seen.add(pick)
        cleaned["track_choices"] = [p for p in picks if p is not None]
        answers = {}
        for name, question, _answer in self.question_fields:
            if question.kind == QuestionKind.FILE:
                continue
            value = cleaned.get(name)
            if question.kind == QuestionKind.YES_NO:
                value = {"yes": True, "no": False}.get(value)
            answers[str(question.pk)] = value
        cleaned["answers"] = answers
        return cleaned

    def file_uploads(self):
        return [
            (question, self.cleaned_data.get(name))
            for name, question, _answer in self.question_fields
            if question.kind == QuestionKind.FILE and self.cleaned_data.get(name)
        ]


def _question_field(question, initial):
    common = {
        "label": question.text,
        "help_text": question.help_text,
        # Required answers are checked on submit, so a draft can be saved half done.
        "required": False,
    }
    kind = question.kind
    if kind == QuestionKind.SHORT_TEXT:
        return forms.CharField(max_length=SHORT_TEXT_MAX, initial=initial, **common)
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(
            max_length=LONG_TEXT_MAX,
            widget=forms.Textarea(attrs={"rows": 4}),
            initial=initial,
            **common,
        )
    if kind == QuestionKind.NUMBER:
        return forms.DecimalField(
            initial=initial, widget=forms.NumberInput(attrs={"inputmode": "decimal"}), **common
        )
    if kind == QuestionKind.SINGLE_CHOICE:
        return forms.ChoiceField(
            choices=[("", "—"), *((o, o) for o in question.options)], initial=initial, **common
        )
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(o, o) for o in question.options],
            widget=forms.CheckboxSelectMultiple,
            initial=initial or [],
            **common,
        )
    if kind == QuestionKind.YES_NO:
        value = {True: "yes", False: "no"}.get(initial, "")
        return forms.ChoiceField(
            choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], initial=value, **common
        )
    if kind == QuestionKind.FILE:
        common["help_text"] = " ".join(
            p
            for p in (
                str(question.help_text or ""),
                str(
                    _("PDF, JPEG or PNG, at most %(mb)s MB.")
                    % {"mb": upload_max_bytes("answer") // (1024 * 1024)}
                ),
            )
            if p
        )
        return forms.FileField(**common)
    return None


class ScreenForm(forms.Form):
    eligible = forms.TypedChoiceField(
        label=_("Screening decision"),
        choices=[("1", _("Eligible")), ("0", _("Not eligible"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (the owner reads it)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BulkScreenForm(forms.Form):
    ACTIONS = [
        ("auto", _("Check the rules again")),
        ("eligible", _("Mark eligible")),
        ("ineligible", _("Mark not eligible")),
        ("review", _("Start the review (eligible ones)")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    reason = forms.CharField(
        label=_("Reason (required to mark eligible or not eligible)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)

    def __init__(self, *args, application_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in application_ids]
        self.fields["ids"].error_messages["required"] = _("Tick at least one application.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") in ("eligible", "ineligible") and not cleaned.get("reason"):
            self.add_error("reason", _("Give a reason; the owners will read it."))
        return cleaned
