"""Forms of the registry pages. They only validate input (with the same validators as the API);
the views hand the cleaned data to the services."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.validators import normalize_phone

from . import validators as v
from .choices import (
    VILLAGE_LEVELS,
    CapacityUnit,
    CertificationKind,
    DocumentKind,
    EnterpriseStatus,
    FacilitationKind,
    FacilitationStatus,
    Gender,
    ImportMode,
    KbliLevel,
    LegalForm,
    MarketingReach,
    RegionLevel,
    RegistrationSource,
)
from .conf import import_max_bytes, kbli_version
from .models import Enterprise, Kbli, Region, Sentra, mask_nik


def _label(field: str):
    return Enterprise._meta.get_field(field).verbose_name


class NormalizedCharField(forms.CharField):
    """A text field cleaned by one of the registry's normalisers (NIK, NIB, NPWP …)."""

    def __init__(self, *, normalizer, **kwargs):
        self.normalizer = normalizer
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.normalizer(value) if value else ""


class RupiahField(forms.CharField):
    """Whole rupiah; accepts `1.500.000`, `Rp 1.500.000` or `1500000`."""

    default_error_messages = {
        "invalid": _("Enter an amount in whole rupiah, e.g. 1.500.000."),
        "negative": _("Amounts of money cannot be negative."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in ("", None):
            return None
        text = re.sub(r"(?i)rp\.?|\s", "", value)
        if text.startswith("-"):
            raise ValidationError(self.error_messages["negative"], code="negative")
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
            text = text.replace(".", "")
        if re.fullmatch(r"\d+(,0+)?", text):
            text = text.split(",")[0]
        if not text.isdigit():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class StepForm(forms.Form):
    """A step of the registration: `initial_from(enterprise)` fills it from the draft."""

    fields_of_step: tuple[str, ...] = ()

    @classmethod
    def initial_from(cls, enterprise: Enterprise | None) -> dict:
        if enterprise is None:
            return {}
        initial = {}
        for name in cls.fields_of_step:
            if name in ("kelurahan", "sentra"):
                initial[name] = getattr(enterprise, f"{name}_id")
            else:
                initial[name] = getattr(enterprise, name)
        return initial

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields_of_step}


class OwnerForm(StepForm):
    fields_of_step = ("owner_name", "owner_nik", "owner_gender", "phone", "email")

    def service_data(self) -> dict:
        data = super().service_data()
        if self.keep_nik and not data.get("owner_nik"):
            data["owner_nik"] = self.keep_nik
        return data

    owner_name = forms.CharField(
        label=_("Owner's full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("As written on the KTP."),
    )
    owner_nik = NormalizedCharField(
        label=_("Owner's NIK"),
        normalizer=v.normalize_nik,
        max_length=20,
        help_text=_("16 digits, as on the KTP. Only you and authorised office staff see it."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    owner_gender = forms.ChoiceField(
        label=_("Owner's gender"), choices=Gender.choices, widget=forms.RadioSelect
    )
    phone = NormalizedCharField(
        label=_("Mobile phone"),
        normalizer=normalize_phone,
        max_length=20,
        help_text=_("An Indonesian mobile number, e.g. 0812 3456 7890."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail address"), required=False)
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that the office processes this data."),
        error_messages={"required": _("Accept the privacy notice to register.")},
    )

    def __init__(
        self,
        *args,
        consent_given: bool = False,
        walk_in: bool = False,
        keep_nik: str = "",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.walk_in = walk_in
        # Office users editing someone else's record never get the NIK in the form (it is
        # masked everywhere, issue 8): the field starts empty and empty keeps the stored NIK.
        self.keep_nik = keep_nik
        if keep_nik:
            self.initial["owner_nik"] = ""
            self.fields["owner_nik"].required = False
            self.fields["owner_nik"].help_text = _(
                "Leave empty to keep the NIK on file (%(masked)s); type a new one to change it."
            ) % {"masked": mask_nik(keep_nik)}
        if consent_given:
            del self.fields["consent"]
        elif walk_in:
            self.fields["consent"].label = _(
                "The owner has read the privacy notice and agreed (signed form kept at the office)."
            )
        if walk_in:
            self.fields["owner_account"] = forms.EmailField(
                label=_("Owner's account (e-mail), if they have one"),
                required=False,
                help_text=_("Leave empty for an owner without an account; they can claim later."),
            )
            self.fields["source"] = forms.ChoiceField(
                label=_("Registered via"),
                choices=[
                    (RegistrationSource.WALK_IN, RegistrationSource.WALK_IN.label),
                    (RegistrationSource.ENUMERATOR, RegistrationSource.ENUMERATOR.label),
                ],
            )

    def clean_owner_account(self):
        from django.contrib.auth import get_user_model

        email = self.cleaned_data.get("owner_account")
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None or user.is_partner or user.is_office:
            raise ValidationError(_("No owner account has this e-mail address."))
        return user


class BusinessForm(StepForm):
    fields_of_step = ("name", "brand", "nib", "npwp", "legal_form", "year_established", "sentra")

    name = forms.CharField(label=_("Business name"), max_length=200)
    brand = forms.CharField(label=_("Brand"), max_length=150, required=False)
    nib = NormalizedCharField(
        label=_("NIB"),
        normalizer=v.normalize_nib,
        max_length=20,
        required=False,
        help_text=_("13 digits from OSS. Leave empty if the business has no NIB yet."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    npwp = NormalizedCharField(
        label=_("NPWP"),
        normalizer=v.normalize_npwp,
        max_length=25,
        required=False,
        help_text=_("15 or 16 digits, optional."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=LegalForm.choices)
    year_established = forms.IntegerField(
        label=_("Year established"),
        validators=[v.validate_year_established],
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    sentra = forms.ModelChoiceField(
        label=_("Sentra"),
        queryset=Sentra.objects.filter(active=True),
        required=False,
        empty_label=_("— not in a sentra —"),
        help_text=_("The cluster of producers the business belongs to, if any."),
    )


def _kecamatan_choices():
    return [("", _("— choose the kecamatan —"))] + [
        (r.code, r.name)
        for r in Region.objects.filter(
            level=RegionLevel.KECAMATAN, parent_id=settings.REGION_CODE
        ).order_by("name")
    ]


def _kelurahan_choices(kecamatan: str | None):
    villages = Region.objects.filter(
        level__in=VILLAGE_LEVELS, code__startswith=f"{settings.REGION_CODE}."
    ).select_related("parent")
    if kecamatan:
        villages = villages.filter(parent_id=kecamatan)
        return [("", _("— choose the kelurahan —"))] + [
            (r.code, r.name) for r in villages.order_by("name")
        ]
    # Without a kecamatan (or without JavaScript): every kelurahan, grouped by kecamatan.
    groups: dict[str, list] = {}
    for r in villages.order_by("parent__name", "name"):
        groups.setdefault(r.parent.name if r.parent_id else "", []).append((r.code, r.name))
    return [("", _("— choose the kelurahan —")), *list(groups.items())]


class LocationForm(StepForm):
    fields_of_step = ("address", "rt_rw", "kelurahan", "postal_code", "latitude", "longitude")

    address = forms.CharField(
        label=_("Business address"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        help_text=_("Street and number where the business produces."),
    )
    rt_rw = NormalizedCharField(
        label=_("RT/RW"),
        normalizer=v.normalize_rt_rw,
        max_length=12,
        required=False,
        help_text=_("E.g. 003/005."),
    )
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"))
    postal_code = NormalizedCharField(
        label=_("Postal code"),
        normalizer=v.normalize_postal_code,
        max_length=5,
        required=False,
        help_text=_("Leave empty to use the kelurahan's postal code."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
    )

    @classmethod
    def initial_from(cls, enterprise):
        initial = super().initial_from(enterprise)
        if enterprise is not None and enterprise.kecamatan_id:
            initial["kecamatan"] = enterprise.kecamatan_id
        return initial

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kecamatan = self.data.get(self.add_prefix("kecamatan")) or self.initial.get("kecamatan")
        self.fields["kecamatan"].choices = _kecamatan_choices()
        self.fields["kelurahan"].choices = _kelurahan_choices(kecamatan)
        from django.urls import reverse

        # htmx narrows the kelurahan list to the chosen kecamatan; without JavaScript the list
        # holds every kelurahan grouped by kecamatan.
        self.fields["kecamatan"].widget.attrs.update(
            {
                "hx-get": reverse("registry:kelurahan_options"),
                "hx-target": f"#{self['kelurahan'].auto_id}",
                "hx-trigger": "change",
            }
        )

    def clean_kelurahan(self):
        code = self.cleaned_data["kelurahan"]
        region = Region.objects.filter(pk=code).first()
        if region is None:
            raise ValidationError(_("Choose a kelurahan from the list."))
        v.validate_kelurahan(region)
        return region

    def clean(self):
        cleaned = super().clean()
        region, kecamatan = cleaned.get("kelurahan"), cleaned.get("kecamatan")
        if region is not None and kecamatan and region.parent_id != kecamatan:
            self.add_error("kelurahan", _("This kelurahan is not in the chosen kecamatan."))
        if region is not None and not cleaned.get("postal_code"):
            cleaned["postal_code"] = region.postal_code
        return cleaned


class WorkforceForm(StepForm):
    fields_of_step = (
        "workers_male",
        "workers_female",
        "workers_unspecified",
        "investment_idr",
        "land_building_idr",
        "annual_turnover_idr",
        "modal_usaha_idr",
    )

    workers_male = forms.IntegerField(
        label=_("Male workers"),
        min_value=0,
        initial=0,
        help_text=_("Count the owner too."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    workers_female = forms.IntegerField(
        label=_("Female workers"),
        min_value=0,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    workers_unspecified = forms.IntegerField(
        label=_("Workers whose sex is not recorded"),
        min_value=0,
        initial=0,
        required=False,
        help_text=_("From an old office record; move them to the two fields above when known."),
    )
    investment_idr = RupiahField(
        label=_("Investment (Rp)"),
        required=True,
        help_text=_("Machines, tools and other assets, excluding land and buildings."),
    )
    land_building_idr = RupiahField(label=_("Land and buildings (Rp)"))
    annual_turnover_idr = RupiahField(
        label=_("Annual turnover (Rp)"), required=True, help_text=_("Sales in the last year.")
    )
    modal_usaha_idr = RupiahField(
        label=_("Business capital, modal usaha (Rp)"),
        help_text=_("Optional. Excluding land and buildings; used for the UMKM class."),
    )

    def __init__(self, *args, show_unspecified: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_unspecified:
            del self.fields["workers_unspecified"]

    def clean(self):
        cleaned = super().clean()
        total = sum(
            cleaned.get(f) or 0 for f in ("workers_male", "workers_female", "workers_unspecified")
        )
        if not self.errors and total < 1:
            self.add_error(
                "workers_male", _("A business has at least one worker (the owner counts).")
            )
        return cleaned

    def service_data(self) -> dict:
        data = super().service_data()
        if "workers_unspecified" not in self.fields:
            data.pop("workers_unspecified")
        return data


def kbli_choices():
    """Five-digit section C codes of the current version, grouped by division."""
    version = kbli_version()
    divisions = {
        k.code: k.title
        for k in Kbli.objects.filter(version=version, level=KbliLevel.DIVISION).only(
            "code", "title_id", "title_en"
        )
    }
    groups: dict[str, list] = {}
    for k in Kbli.objects.filter(version=version, level=KbliLevel.CLASS).order_by("code"):
        label = f"{k.code[:2]} {divisions.get(k.code[:2], '')}".strip()
        groups.setdefault(label, []).append((k.pk, f"{k.code} {k.title_id}"))
    return [("", _("— choose the KBLI code —")), *list(groups.items())]


class ProductForm(forms.Form):
    kbli = forms.TypedChoiceField(
        label=_("KBLI code"),
        coerce=int,
        help_text=_("The five-digit business classification of the product (KBLI 2020)."),
    )
    name = forms.CharField(label=_("Product name"), max_length=150)
    capacity_per_year = forms.DecimalField(
        label=_("Capacity per year"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    capacity_unit = forms.ChoiceField(
        label=_("Unit"), choices=[("", "—"), *CapacityUnit.choices], required=False
    )
    raw_materials = forms.CharField(label=_("Raw materials"), max_length=255, required=False)
    marketing_reach = forms.ChoiceField(
        label=_("Marketing reach"), choices=[("", "—"), *MarketingReach.choices], required=False
    )

    def __init__(self, *args, kbli_options=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kbli"].choices = kbli_options if kbli_options is not None else kbli_choices()

    def clean_kbli(self):
        kbli = Kbli.objects.filter(pk=self.cleaned_data["kbli"]).first()
        if kbli is None:
            raise ValidationError(_("Choose a KBLI code from the list."))
        v.validate_kbli_for_product(kbli)
        return kbli

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("capacity_per_year") is not None and not cleaned.get("capacity_unit"):
            self.add_error("capacity_unit", _("Give the unit of the capacity."))
        return cleaned


class BaseProductFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        self._kbli_options = kbli_choices()
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"kbli_options": self._kbli_options}

    def service_data(self) -> list[dict]:
        return [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


ProductFormSet = forms.formset_factory(
    ProductForm,
    formset=BaseProductFormSet,
    extra=1,
    min_num=1,
    validate_min=True,
    can_delete=True,
    max_num=30,
)


class CertificationForm(forms.Form):
    # An empty first choice: an untouched extra row stays empty and is not saved.
    kind = forms.ChoiceField(
        label=_("Certification"), choices=[("", "—"), *CertificationKind.choices]
    )
    number = forms.CharField(label=_("Number"), max_length=100, required=False)
    expires_on = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class BaseCertificationFormSet(forms.BaseFormSet):
    def service_data(self) -> list[dict]:
        return [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


CertificationFormSet = forms.formset_factory(
    CertificationForm, formset=BaseCertificationFormSet, extra=1, can_delete=True, max_num=20
)


def product_initial(enterprise: Enterprise | None) -> list[dict]:
    if enterprise is None or enterprise.pk is None:
        return []
    return [
        {
            "kbli": p.kbli_id,
            "name": p.name,
            "capacity_per_year": p.capacity_per_year,
            "capacity_unit": p.capacity_unit,
            "raw_materials": p.raw_materials,
            "marketing_reach": p.marketing_reach,
        }
        for p in enterprise.products.all()
    ]


def certification_initial(enterprise: Enterprise | None) -> list[dict]:
    if enterprise is None or enterprise.pk is None:
        return []
    return [
        {"kind": c.kind, "number": c.number, "expires_on": c.expires_on}
        for c in enterprise.certifications.all()
    ]


# --- Staff forms ---


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("The owner reads this reason."),
    )

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if not required:
            self.fields["reason"].label = _("Note (optional)")


class NikSearchForm(forms.Form):
    nik = NormalizedCharField(
        label=_("NIK (exact)"),
        normalizer=v.normalize_nik,
        max_length=20,
        help_text=_("Searched by exact match only; the NIK is never put in the address bar."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class FacilitationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=FacilitationKind.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), choices=FacilitationStatus.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPG or PNG, at most 5 MB."))


class ClaimForm(forms.Form):
    nib = NormalizedCharField(
        label=_("NIB of the business"),
        normalizer=v.normalize_nib,
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    phone = NormalizedCharField(
        label=_("Phone number the office registered"),
        normalizer=normalize_phone,
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    name = forms.CharField(label=_("Business name"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if (
            not self.errors
            and not cleaned.get("nib")
            and not (cleaned.get("phone") and cleaned.get("name"))
        ):
            raise ValidationError(
                _("Give the NIB, or the phone number together with the business name.")
            )
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("XLSX or CSV (UTF-8 or Windows-1252), at most 20 MB."),
    )
    target_status = forms.ChoiceField(
        label=_("Imported businesses become"),
        choices=[
            (EnterpriseStatus.VERIFIED, _("Verified (the office's own records)")),
            (EnterpriseStatus.SUBMITTED, _("Submitted (they go to the verification queue)")),
        ],
        initial=EnterpriseStatus.VERIFIED,
    )
    encoding = forms.ChoiceField(
        label=_("Text encoding of a CSV file"),
        choices=[
            ("", _("Detect automatically")),
            ("utf-8", "UTF-8"),
            ("windows-1252", "Windows-1252"),
        ],
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > import_max_bytes():
            raise ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": import_max_bytes() // (1024 * 1024)}
            )
        return upload


class ImportConfirmForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("What to import"),
        choices=ImportMode.choices,
        widget=forms.RadioSelect,
        initial=ImportMode.VALID_ROWS,
    )


class SentraForm(forms.ModelForm):
    class Meta:
        model = Sentra
        fields = ["name", "kelurahan", "description", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].queryset = Region.objects.filter(
            level__in=VILLAGE_LEVELS, code__startswith=f"{settings.REGION_CODE}."
        ).order_by("name")


STEP_FORMS = {
    "owner": OwnerForm,
    "business": BusinessForm,
    "location": LocationForm,
    "workforce": WorkforceForm,
}
