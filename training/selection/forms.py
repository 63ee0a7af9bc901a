"""Forms of review and selection: they validate input only; views call the services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from registry.choices import RegionLevel
from registry.models import Region

from ..forms import DateTimeInput
from .choices import PUBLISHED_DECISION_CHOICES, OthersScores, TieBreaker
from .models import Criterion

TIE_CHOICES = [("", _("– none –")), *TieBreaker.choices]


def _kecamatan_choices():
    return list(
        Region.objects.filter(
            level=RegionLevel.KECAMATAN, code__startswith=settings.REGION_CODE + "."
        )
        .order_by("name")
        .values_list("code", "name")
    )


class QuotaField(forms.CharField):
    """Kecamatan quotas, one per line: ``Klojen = 5`` (a name or a code)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("One kecamatan per line, e.g. “Klojen = 5”."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            names = dict(_kecamatan_choices())
            return "\n".join(f"{names.get(k, k)} = {v}" for k, v in value.items())
        return value

    def clean(self, value):
        value = super().clean(value)
        known = _kecamatan_choices()
        by_name = {name.lower(): code for code, name in known}
        codes = {code for code, _name in known}
        result = {}
        for line in (value or "").splitlines():
            if not line.strip():
                continue
            if "=" not in line:
                raise forms.ValidationError(_("Write each line as “kecamatan = number”."))
            name, _sep, number = line.partition("=")
            key = name.strip()
            code = key if key in codes else by_name.get(key.lower())
            if code is None:
                raise forms.ValidationError(_("Unknown kecamatan: %(name)s.") % {"name": key})
            try:
                count = int(number.strip())
            except ValueError as exc:
                raise forms.ValidationError(_("Write each line as “kecamatan = number”.")) from exc
            if count < 0:
                raise forms.ValidationError(_("Enter zero or more."))
            result[code] = count
        return result


class StageSettingsForm(forms.Form):
    review_opens_at = forms.DateTimeField(
        label=_("Review opens at"), required=False, widget=DateTimeInput()
    )
    review_closes_at = forms.DateTimeField(
        label=_("Review deadline"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Reviewers may score and edit their reviews until then."),
    )
    blind_review = forms.BooleanField(
        label=_("Blind review: reviewers do not see the owner's name, NIK and contact"),
        required=False,
    )
    others_scores = forms.ChoiceField(
        label=_("Reviewers see the others' scores"), choices=OthersScores.choices
    )
    reviewers_per_application = forms.IntegerField(
        label=_("Reviewers per application"), min_value=1, max_value=10
    )
    spread_threshold = forms.IntegerField(
        label=_("Disagreement threshold (points)"),
        min_value=0,
        max_value=100,
        help_text=_("Flag an application when its reviewers' totals differ by this many points."),
    )
    reminder_days = forms.IntegerField(
        label=_("Remind reviewers this many days before the deadline"), min_value=0, max_value=30
    )
    waitlist_length = forms.IntegerField(label=_("Waitlist length"), min_value=0)
    tie_breaker_1 = forms.ChoiceField(
        label=_("First tie-breaker"), choices=TIE_CHOICES, required=False
    )
    tie_breaker_2 = forms.ChoiceField(
        label=_("Second tie-breaker"), choices=TIE_CHOICES, required=False
    )
    tie_breaker_3 = forms.ChoiceField(
        label=_("Third tie-breaker"), choices=TIE_CHOICES, required=False
    )
    use_track_seats = forms.BooleanField(
        label=_("Seats per track (the applicant's highest-preference track with room)"),
        required=False,
    )
    kecamatan_min = QuotaField(label=_("Minimum per kecamatan"))
    kecamatan_max = QuotaField(label=_("Maximum per kecamatan"))
    women_min_percent = forms.IntegerField(
        label=_("Minimum share of women-owned businesses (%)"), min_value=0, max_value=100
    )
    offer_days = forms.IntegerField(
        label=_("Days to respond to an offer from the waitlist"), min_value=1, max_value=60
    )

    def __init__(self, *args, tracks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tracks = list(tracks)
        for track in self.tracks:
            self.fields[f"track_{track.pk}"] = forms.IntegerField(
                label=_("Seats at this stage: %(track)s") % {"track": track.name},
                min_value=0,
                required=False,
                help_text=_("Empty: the track's %(n)s seats.") % {"n": track.seats},
            )

    def clean(self):
        data = super().clean()
        breakers = [data.get(f"tie_breaker_{i}") for i in (1, 2, 3)]
        breakers = [b for b in breakers if b]
        if len(set(breakers)) != len(breakers):
            self.add_error("tie_breaker_2", _("Choose each tie-breaker once."))
        data["tie_breakers"] = breakers
        data["track_seats"] = {
            str(t.pk): data[f"track_{t.pk}"]
            for t in self.tracks
            if data.get(f"track_{t.pk}") is not None
        }
        return data

    @staticmethod
    def initial_from(config) -> dict:
        initial = {
            f: getattr(config, f)
            for f in (
                "review_opens_at",
                "review_closes_at",
                "blind_review",
                "others_scores",
                "reviewers_per_application",
                "spread_threshold",
                "reminder_days",
                "waitlist_length",
                "use_track_seats",
                "kecamatan_min",
                "kecamatan_max",
                "women_min_percent",
                "offer_days",
            )
        }
        for i, breaker in enumerate(config.tie_breakers or [], 1):
            initial[f"tie_breaker_{i}"] = breaker
        for key, seats in (config.track_seats or {}).items():
            initial[f"track_{key}"] = seats
        return initial


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = [
            "key",
            "label_id",
            "label_en",
            "description",
            "scale_min",
            "scale_max",
            "weight",
            "counted",
            "source",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def validate_unique(self):
        pass  # the service checks the rubric as a whole

    def _post_clean(self):
        # Validate the fields only; the model's constraints are the service's business.
        pass


CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, can_delete=True)


class AutoAssignForm(forms.Form):
    reviewers_per_application = forms.IntegerField(
        label=_("Reviewers per application"), min_value=1, max_value=10
    )
    reviewers = forms.MultipleChoiceField(
        label=_("Reviewers"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Applications are shared out evenly among them."),
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["reviewers"].choices = [(str(p.pk), p.full_name or p.email) for p in people]

    def clean_reviewers(self):
        return [self.people[pk] for pk in self.cleaned_data["reviewers"]]


class BulkAssignForm(forms.Form):
    ids = forms.MultipleChoiceField(label=_("Applications"), widget=forms.MultipleHiddenInput)
    reviewers = forms.MultipleChoiceField(label=_("Reviewers"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, applications=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = {str(a.pk): a for a in applications}
        self.people = {str(p.pk): p for p in people}
        self.fields["ids"].choices = [(k, k) for k in self.applications]
        self.fields["reviewers"].choices = [(str(p.pk), p.full_name or p.email) for p in people]
        self.fields["ids"].error_messages["required"] = _("Tick at least one application.")

    def clean_ids(self):
        return [self.applications[pk] for pk in self.cleaned_data["ids"]]

    def clean_reviewers(self):
        return [self.people[pk] for pk in self.cleaned_data["reviewers"]]


class ConflictForm(forms.Form):
    reviewer = forms.ChoiceField(label=_("Reviewer"))
    application = forms.ChoiceField(label=_("Applicant"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, applications=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = {str(a.pk): a for a in applications}
        self.people = {str(p.pk): p for p in people}
        self.fields["reviewer"].choices = [(str(p.pk), p.full_name or p.email) for p in people]
        self.fields["application"].choices = [(str(a.pk), a.enterprise.name) for a in applications]

    def clean_reviewer(self):
        return self.people[self.cleaned_data["reviewer"]]

    def clean_application(self):
        return self.applications[self.cleaned_data["application"]]


class ReviewForm(forms.Form):
    """One field per criterion (its scale as radio buttons) and the comment."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you saw and why you scored so. Required to submit."),
        max_length=5000,
    )

    def __init__(self, *args, criteria=(), review=None, disabled=False, **kwargs):
        initial = kwargs.pop("initial", None) or {}
        if review is not None:
            initial = {f"c_{k}": v for k, v in (review.scores or {}).items()}
            initial["comment"] = review.comment
        super().__init__(*args, initial=initial, **kwargs)
        self.criteria = list(criteria)
        fields = {}
        for c in self.criteria:
            fields[f"c_{c.key}"] = forms.TypedChoiceField(
                label=c.label,
                choices=[(str(v), str(v)) for v in c.scale],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                help_text=c.description,
            )
        comment = self.fields.pop("comment")
        self.fields.update(fields)
        self.fields["comment"] = comment
        if disabled:
            for field in self.fields.values():
                field.disabled = True

    def criterion_fields(self):
        return [(c, self[f"c_{c.key}"]) for c in self.criteria]

    def scores(self) -> dict:
        return {
            c.key: self.cleaned_data.get(f"c_{c.key}")
            for c in self.criteria
            if self.cleaned_data.get(f"c_{c.key}") is not None
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class PreviewForm(forms.Form):
    seed = forms.IntegerField(
        label=_("Seed of the lottery"),
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("Recorded with the result; the same seed gives the same draw."),
    )
    waitlist_length = forms.IntegerField(label=_("Waitlist length"), min_value=0)
    tie_breaker_1 = forms.ChoiceField(
        label=_("First tie-breaker"), choices=TIE_CHOICES, required=False
    )
    tie_breaker_2 = forms.ChoiceField(
        label=_("Second tie-breaker"), choices=TIE_CHOICES, required=False
    )
    tie_breaker_3 = forms.ChoiceField(
        label=_("Third tie-breaker"), choices=TIE_CHOICES, required=False
    )
    use_track_seats = forms.BooleanField(label=_("Seats per track"), required=False)
    women_min_percent = forms.IntegerField(
        label=_("Minimum share of women-owned businesses (%)"), min_value=0, max_value=100
    )

    def clean(self):
        data = super().clean()
        breakers = [data.get(f"tie_breaker_{i}") for i in (1, 2, 3)]
        breakers = [b for b in breakers if b]
        if len(set(breakers)) != len(breakers):
            self.add_error("tie_breaker_2", _("Choose each tie-breaker once."))
        data["tie_breakers"] = breakers
        return data

    def params(self) -> dict:
        d = self.cleaned_data
        return {
            "waitlist_length": d["waitlist_length"],
            "tie_breakers": d["tie_breakers"],
            "use_track_seats": d["use_track_seats"],
            "women_min_percent": d["women_min_percent"],
        }


class AdjustForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("auto", _("As computed")), *PUBLISHED_DECISION_CHOICES]
    )
    track = forms.TypedChoiceField(
        label=_("Track"), required=False, coerce=int, empty_value=None, choices=()
    )
    reason = forms.CharField(
        label=_("Reason (the applicant reads it)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args, tracks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].choices = [
            ("", _("– as computed –")),
            *[(t.pk, t.name) for t in tracks],
        ]
