"""The registry API's shapes. Field names are a contract (docs/registry.md): keep them exact.

Serializers only validate input; views call the services the pages call."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ikm_portal.core.validators import normalize_phone

from .. import validators as v
from ..choices import (
    VILLAGE_LEVELS,
    CertificationKind,
    EnterpriseStatus,
    ImportMode,
    RegistrationSource,
    SizeClass,
    UmkmClass,
)
from ..conf import kbli_version
from ..models import (
    EDITABLE_FIELDS,
    Certification,
    Enterprise,
    FieldChange,
    ImportJob,
    Kbli,
    Product,
    Region,
    Sentra,
    mask_nik,
)
from ..permissions import sees_full_nik

MONEY_ERROR = _("Amounts of money are whole rupiah, 0 or more.")


@extend_schema_field(
    {
        "type": "string",
        "description": "One of: draft, submitted, needs_revision, verified, rejected, archived.",
        "readOnly": True,
    }
)
class EnterpriseStatusField(serializers.CharField):
    """Read-only status. The schema lists the values in the description: an enum component
    named "Status" would collide with other apps' status enums."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)


def _run(func, value):
    """Call a Django validator/normaliser and turn its error into a DRF field error."""
    try:
        return func(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", read_only=True, allow_null=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "postal_code"]


class KbliSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kbli
        fields = ["code", "title_id", "title_en", "level", "version"]


class ProductSerializer(serializers.ModelSerializer):
    kbli_code = serializers.CharField(max_length=5)
    kbli_version = serializers.CharField(max_length=4, required=False)
    kbli_title = serializers.CharField(source="kbli.title_id", read_only=True)
    capacity_per_year = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, required=False, allow_null=True
    )

    class Meta:
        model = Product
        fields = [
            "kbli_code",
            "kbli_version",
            "kbli_title",
            "name",
            "capacity_per_year",
            "capacity_unit",
            "raw_materials",
            "marketing_reach",
        ]

    def validate(self, attrs):
        version = attrs.pop("kbli_version", None) or kbli_version()
        code = attrs.pop("kbli_code").strip()
        kbli = self.context.get("kbli_cache", {}).get((version, code))
        if kbli is None:
            kbli = Kbli.objects.filter(version=version, code=code).first()
        if kbli is None:
            raise serializers.ValidationError(
                {"kbli_code": [_("Unknown KBLI %(version)s code.") % {"version": version}]}
            )
        try:
            v.validate_kbli_for_product(kbli)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"kbli_code": exc.messages}) from exc
        attrs["kbli"] = kbli
        return attrs


@extend_schema_field(
    {
        "type": "string",
        "description": "One of: halal, pirt, bpom, sni, haki_merek, tkdn, lainnya.",
    }
)
class CertificationKindField(serializers.ChoiceField):
    """The kind of a certification. Described inline in the schema: training's outcomes use the
    same choices, and one set must not get two component names."""

    def __init__(self, **kwargs):
        super().__init__(choices=CertificationKind.choices, **kwargs)


class CertificationSerializer(serializers.ModelSerializer):
    kind = CertificationKindField()

    class Meta:
        model = Certification
        fields = ["kind", "number", "expires_on"]


class CachedSlugRelatedField(serializers.SlugRelatedField):
    """A SlugRelatedField that first looks in ``context[cache_key]`` (the import checks
    thousands of rows against the same few dozen kelurahan)."""

    def __init__(self, *, cache_key: str, **kwargs):
        self.cache_key = cache_key
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        cache = self.context.get(self.cache_key)
        if cache is not None and isinstance(data, str) and data in cache:
            return cache[data]
        return super().to_internal_value(data)


class CachedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def __init__(self, *, cache_key: str, **kwargs):
        self.cache_key = cache_key
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        cache = self.context.get(self.cache_key)
        if cache is not None and data in cache:
            return cache[data]
        return super().to_internal_value(data)


class EnterpriseSerializer(serializers.ModelSerializer):
    kelurahan = CachedSlugRelatedField(
        cache_key="region_cache",
        slug_field="code",
        queryset=Region.objects.filter(level__in=VILLAGE_LEVELS),
        required=False,
        allow_null=True,
        error_messages={
            "does_not_exist": _("Unknown kelurahan code “{value}”."),
            "invalid": _("Enter a kelurahan code such as 35.73.05.1004."),
        },
    )
    kecamatan = serializers.CharField(source="kecamatan_id", read_only=True, allow_null=True)
    sentra = CachedPrimaryKeyRelatedField(
        cache_key="sentra_cache",
        queryset=Sentra.objects.filter(active=True),
        required=False,
        allow_null=True,
    )
    products = ProductSerializer(many=True, required=False)
    certifications = CertificationSerializer(many=True, required=False)
    owner = serializers.IntegerField(source="owner_id", read_only=True, allow_null=True)
    owner_email = serializers.EmailField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Office staff only: link the business to this existing owner account.",
    )
    consent = serializers.BooleanField(
        write_only=True,
        required=False,
        help_text="The owner accepts the privacy notice (its version and the time are stored).",
    )
    source = serializers.ChoiceField(choices=RegistrationSource.choices, required=False)
    status = EnterpriseStatusField()
    # Blank until the business has the figures to classify it (the schema says so).
    size_class = serializers.ChoiceField(SizeClass.choices, read_only=True, allow_blank=True)
    umkm_class = serializers.ChoiceField(UmkmClass.choices, read_only=True, allow_blank=True)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "status",
            "status_reason",
            "owner",
            "owner_email",
            "source",
            *EDITABLE_FIELDS,
            "kecamatan",
            "workers_total",
            "size_class",
            "size_class_rule",
            "umkm_class",
            "umkm_class_rule",
            "products",
            "certifications",
            "consent",
            "consent_version",
            "consent_at",
            "submitted_at",
            "verified_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "status_reason",
            "workers_total",
            "size_class",
            "size_class_rule",
            "umkm_class",
            "umkm_class_rule",
            "consent_version",
            "consent_at",
            "submitted_at",
            "verified_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            field: {"min_value": 0, "error_messages": {"min_value": MONEY_ERROR}}
            for field in (
                "investment_idr",
                "land_building_idr",
                "annual_turnover_idr",
                "modal_usaha_idr",
            )
        } | {
            field: {"min_value": 0}
            for field in ("workers_male", "workers_female", "workers_unspecified")
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not sees_full_nik(getattr(request, "user", None), instance):
            data["owner_nik"] = mask_nik(instance.owner_nik)
        return data

    # --- field formats (the same rules as the pages' forms) ---
    def validate_owner_nik(self, value):
        return _run(v.normalize_nik, value) if value else ""

    def validate_nib(self, value):
        return _run(v.normalize_nib, value) if value else ""

    def validate_npwp(self, value):
        return _run(v.normalize_npwp, value) if value else ""

    def validate_phone(self, value):
        return _run(normalize_phone, value) if value else ""

    def validate_postal_code(self, value):
        return _run(v.normalize_postal_code, value) if value else ""

    def validate_rt_rw(self, value):
        return _run(v.normalize_rt_rw, value) if value else ""

    def validate_year_established(self, value):
        _run(v.validate_year_established, value)
        return value

    def validate_kelurahan(self, value):
        _run(v.validate_kelurahan, value)
        return value

    def validate_latitude(self, value):
        if value is not None and not -90 <= value <= 90:
            raise serializers.ValidationError(_("The latitude must be between -90 and 90."))
        return value

    def validate_longitude(self, value):
        if value is not None and not -180 <= value <= 180:
            raise serializers.ValidationError(_("The longitude must be between -180 and 180."))
        return value

    def validate_owner_email(self, value):
        if not value:
            return None
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(email__iexact=value).first()
        if user is None or user.is_partner:
            raise serializers.ValidationError(_("No owner account has this e-mail address."))
        return user

    def validate(self, attrs):
        workers = ("workers_male", "workers_female", "workers_unspecified")
        if any(w in attrs for w in workers):
            total = sum(
                attrs.get(w, getattr(self.instance, w, 0) if self.instance else 0) or 0
                for w in workers
            )
            if total < 1:
                raise serializers.ValidationError(
                    {"workers_male": [_("A business has at least one worker (the owner counts).")]}
                )
        if "products" in attrs and self.instance is None and not attrs["products"]:
            attrs.pop("products")
        return attrs

    def service_kwargs(self) -> dict:
        return service_kwargs(self.validated_data)


def service_kwargs(validated_data) -> dict:
    """validated_data → keyword arguments of enterprise_create / enterprise_update."""
    data = dict(validated_data)
    products = data.pop("products", None)
    certifications = data.pop("certifications", None)
    return {
        "data": {k: data[k] for k in EDITABLE_FIELDS if k in data},
        "products": products,
        "certifications": certifications,
        "consent": bool(data.get("consent")),
    }


class EnterpriseReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class FieldChangeSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = FieldChange
        fields = ["changed_at", "actor", "source", "field", "old_value", "new_value", "batch"]

    def get_actor(self, obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class DuplicateOtherSerializer(serializers.ModelSerializer):
    kelurahan = serializers.CharField(source="kelurahan_id")
    status = EnterpriseStatusField()

    class Meta:
        model = Enterprise
        fields = ["id", "name", "brand", "status", "kelurahan", "nib"]


class DuplicateFlagSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="flag.id")
    kind = serializers.CharField(source="flag.kind")
    score = serializers.FloatField(source="flag.score", allow_null=True)
    status = serializers.CharField(source="flag.status")
    other = DuplicateOtherSerializer()


class MergeSerializer(serializers.Serializer):
    drop = serializers.IntegerField(help_text="The id of the duplicate to merge into this one.")


class UnmaskNikSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=5, max_length=500)


class UnmaskedNikSerializer(serializers.Serializer):
    owner_nik = serializers.CharField()


class NikSearchSerializer(serializers.Serializer):
    nik = serializers.CharField(max_length=20)

    def validate_nik(self, value):
        return _run(v.normalize_nik, value)


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=True)
    mode = serializers.ChoiceField(choices=ImportMode.choices, default=ImportMode.VALID_ROWS)
    target_status = serializers.ChoiceField(
        choices=[
            (EnterpriseStatus.VERIFIED, EnterpriseStatus.VERIFIED.label),
            (EnterpriseStatus.SUBMITTED, EnterpriseStatus.SUBMITTED.label),
        ],
        default=EnterpriseStatus.VERIFIED,
    )
    encoding = serializers.ChoiceField(
        choices=[("", "auto"), ("utf-8", "UTF-8"), ("windows-1252", "Windows-1252")],
        default="",
        required=False,
    )


class ImportJobSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        read_only=True,
        help_text="pending, validating, validated (checked, waiting for confirmation), "
        "importing, done, failed, cancelled",
    )
    progress_percent = serializers.IntegerField(read_only=True)
    errors = serializers.SerializerMethodField()
    duplicates = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "status",
            "original_name",
            "file_format",
            "encoding",
            "mode",
            "total_rows",
            "processed_rows",
            "progress_percent",
            "valid_rows",
            "error_rows",
            "duplicate_rows",
            "created_count",
            "errors",
            "duplicates",
            "error",
            "created_at",
            "finished_at",
        ]

    def get_errors(self, obj) -> list:
        return obj.report.get("errors", [])

    def get_duplicates(self, obj) -> list:
        return obj.report.get("duplicates", [])


# --- The list's light path ---------------------------------------------------------------------
# Reading a page of 50 through ModelSerializer costs about ten times the query (model instances,
# nested serializers, one field object per value). The list renders the ``.values()`` rows of
# ``selectors.enterprise_rows`` with the same field objects, only where a value needs
# formatting (dates, decimals); a test checks the result equals EnterpriseSerializer's.
_LIST_KEYS = {"owner": "owner_id", "sentra": "sentra_id", "kelurahan": "kelurahan_id"}
_LIST_KEYS["kecamatan"] = "kecamatan_id"
_list_plan = None


def _plan():
    global _list_plan
    if _list_plan is None:
        fields = EnterpriseSerializer().fields
        plan = []
        for name, f in fields.items():
            if f.write_only:
                continue
            key = _LIST_KEYS.get(name, name)
            if name in ("products", "certifications"):
                plan.append((name, f"{name}_json", None))
            elif isinstance(f, serializers.DateTimeField):
                plan.append((name, key, "datetime"))
            elif isinstance(f, serializers.DecimalField | serializers.DateField):
                plan.append((name, key, f.to_representation))
            else:
                plan.append((name, key, None))
        _list_plan = plan
    return _list_plan


def enterprise_list_data(rows, *, user) -> list[dict]:
    """The API list's items from ``selectors.enterprise_rows`` (the contract of
    EnterpriseSerializer); the NIK masked as the detail masks it."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()

    def datetime_text(value):
        # DRF's DateTimeField.to_representation, without its per-value settings look-ups.
        text = value.astimezone(tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    plan = [(n, k, datetime_text if c == "datetime" else c) for n, k, c in _plan()]
    # As sees_full_nik: only the owner sees their own full NIK in a list.
    uid = user.pk if user is not None and user.is_authenticated else None
    out = []
    for row in rows:
        item = {}
        for name, key, convert in plan:
            value = row[key]
            item[name] = value if convert is None or value is None else convert(value)
        if uid is None or row["owner_id"] != uid:
            item["owner_nik"] = mask_nik(row["owner_nik"])
        out.append(item)
    return out
