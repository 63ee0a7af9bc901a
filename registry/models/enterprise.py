from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.fields import EncryptedTextField, KeyedHashField
from ikm_portal.core.models import TimeStampedModel

from ..choices import (
    INACTIVE_STATUSES,
    CapacityUnit,
    CertificationKind,
    EnterpriseStatus,
    Gender,
    LegalForm,
    MarketingReach,
    RegistrationSource,
    SizeClass,
    UmkmClass,
)
from .reference import Kbli, Region, Sentra

ACTIVE_Q = ~Q(status__in=sorted(INACTIVE_STATUSES))


class Enterprise(TimeStampedModel):
    """One IKM business. Field names follow the API contract (docs/registry.md).

    Everything may be blank while the record is a draft; the submit service checks completeness.
    The derived fields (kecamatan, workers_total, size_class, umkm_class and their rules) are
    recomputed by ``services.enterprise_derive`` on every write."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
        help_text=_("Empty for a business registered by the office without an owner account."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(
        _("registered via"),
        max_length=12,
        choices=RegistrationSource.choices,
        default=RegistrationSource.ONLINE,
    )

    # --- Owner ---
    owner_name = models.CharField(_("owner's name"), max_length=150, blank=True)
    # Encrypted at rest (ikm_portal/core/fields.py); exact search and uniqueness go through the
    # keyed hash beside it, which every save recomputes.
    owner_nik = EncryptedTextField(_("owner's NIK"), blank=True)
    # Indexed plainly in Meta: a pattern (LIKE) index of a hash, a phone or an NIB serves no
    # query and costs every write (docs/performance.md).
    owner_nik_hash = KeyedHashField(source="owner_nik", db_index=False)
    owner_gender = models.CharField(
        _("owner's gender"), max_length=6, choices=Gender.choices, blank=True
    )
    phone = models.CharField(_("mobile phone"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)

    # --- Business ---
    name = models.CharField(_("business name"), max_length=200, blank=True)
    # Lower-case letters and digits of the name without legal-form words: the key the
    # duplicate checks compare (see services.name_key).
    name_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    brand = models.CharField(_("brand"), max_length=150, blank=True)
    # The names of the product lines, kept by the services that write products: the search
    # reads them from the business's own row (one index, docs/performance.md).
    product_names = models.TextField(blank=True, editable=False)
    nib = models.CharField(_("NIB"), max_length=13, blank=True)
    npwp = models.CharField(_("NPWP"), max_length=16, blank=True)
    legal_form = models.CharField(
        _("legal form"), max_length=14, choices=LegalForm.choices, blank=True
    )
    year_established = models.PositiveSmallIntegerField(
        _("year established"), null=True, blank=True, db_index=True
    )
    sentra = models.ForeignKey(
        Sentra,
        verbose_name=_("sentra"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    address = models.CharField(_("business address"), max_length=255, blank=True)
    rt_rw = models.CharField(_("RT/RW"), max_length=9, blank=True)
    kelurahan = models.ForeignKey(
        Region,
        verbose_name=_("kelurahan"),
        null=True,
        blank=True,
        db_index=False,  # the first column of a composite index in Meta
        on_delete=models.PROTECT,
        related_name="+",
    )
    kecamatan = models.ForeignKey(
        Region,
        verbose_name=_("kecamatan"),
        null=True,
        blank=True,
        db_index=False,  # the first column of a composite index in Meta
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    # --- Workforce and money ---
    workers_male = models.PositiveIntegerField(_("male workers"), default=0)
    workers_female = models.PositiveIntegerField(_("female workers"), default=0)
    # Old office spreadsheets often give only a total: those workers are counted here.
    workers_unspecified = models.PositiveIntegerField(
        _("workers whose sex is not recorded"), default=0
    )
    workers_total = models.PositiveIntegerField(_("workers"), default=0, editable=False)
    investment_idr = models.PositiveBigIntegerField(
        _("investment (Rp, excluding land and buildings)"), null=True, blank=True
    )
    land_building_idr = models.PositiveBigIntegerField(
        _("land and buildings (Rp)"), null=True, blank=True
    )
    annual_turnover_idr = models.PositiveBigIntegerField(
        _("annual turnover (Rp)"), null=True, blank=True
    )
    modal_usaha_idr = models.PositiveBigIntegerField(
        _("business capital, modal usaha (Rp)"), null=True, blank=True
    )

    # --- Derived ---
    size_class = models.CharField(
        _("size class"), max_length=8, choices=SizeClass.choices, blank=True, editable=False
    )
    size_class_rule = models.CharField(
        _("size class rule"), max_length=255, blank=True, editable=False
    )
    umkm_class = models.CharField(
        _("UMKM class"), max_length=8, choices=UmkmClass.choices, blank=True, editable=False
    )
    umkm_class_rule = models.CharField(
        _("UMKM class rule"), max_length=255, blank=True, editable=False
    )

    # --- Status ---
    status = models.CharField(
        _("status"),
        max_length=14,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.DRAFT,
        editable=False,
    )
    status_reason = models.TextField(
        _("reason"),
        blank=True,
        editable=False,
        help_text=_("The office's reason for the last decision, shown to the owner."),
    )
    status_changed_at = models.DateTimeField(
        _("status changed at"), null=True, blank=True, editable=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    draft_step = models.PositiveSmallIntegerField(_("last step saved"), default=0, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="merged_from",
    )

    # --- Consent to the privacy notice (versioned) ---
    consent_version = models.CharField(
        _("privacy notice version accepted"), max_length=20, blank=True, editable=False
    )
    consent_at = models.DateTimeField(
        _("privacy notice accepted at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("IKM business")
        verbose_name_plural = _("IKM businesses")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("unmask_nik", _("Can see owners' full NIK")),
            ("verify_enterprise", _("Can verify, return, reject and archive businesses")),
            ("import_enterprise", _("Can import businesses from a spreadsheet")),
            ("export_enterprise", _("Can export the register")),
            ("merge_enterprise", _("Can merge duplicate businesses")),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="registry_ent_status_submitted"),
            models.Index(fields=["status", "-created_at"], name="registry_ent_status_created"),
            # The register's filters (kecamatan, status, size class) sorted by name: one index
            # serves the filter and the order (docs/performance.md).
            models.Index(
                fields=["kecamatan", "status", "size_class", "name"],
                name="registry_ent_kec_st_size_name",
            ),
            models.Index(fields=["size_class", "status"], name="registry_ent_size_status"),
            models.Index(fields=["owner_nik_hash"], name="registry_ent_nik_hash"),
            models.Index(fields=["phone"], name="registry_ent_phone"),
            models.Index(fields=["nib"], name="registry_ent_nib"),
            models.Index(fields=["name"], name="registry_ent_name"),
            models.Index(fields=["workers_total"], name="registry_ent_workers"),
            # Near-duplicate names are compared within a kelurahan: with the status included
            # the comparison reads the index alone (docs/performance.md).
            models.Index(
                fields=["kelurahan", "name_key"],
                include=["status"],
                name="registry_ent_kel_namekey_st",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nib"],
                condition=~Q(nib="") & ACTIVE_Q,
                name="registry_enterprise_active_nib",
                violation_error_message=_("Another active business holds this NIB."),
            ),
            models.UniqueConstraint(
                fields=["owner_nik_hash", "name_key"],
                condition=~Q(owner_nik_hash="") & ~Q(name_key="") & ACTIVE_Q,
                name="registry_enterprise_active_nik_name",
                violation_error_message=_("This owner already has a business with this name."),
            ),
            models.CheckConstraint(
                condition=Q(year_established__isnull=True) | Q(year_established__gte=1800),
                name="registry_enterprise_year_sane",
            ),
            models.CheckConstraint(
                condition=Q(
                    workers_total=models.F("workers_male")
                    + models.F("workers_female")
                    + models.F("workers_unspecified")
                ),
                name="registry_enterprise_workers_total",
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(_("(unnamed draft)"))

    def save(self, *args, **kwargs):
        # The NIK's hash follows the NIK, also in a save limited to some fields.
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "owner_nik" in update_fields:
            kwargs["update_fields"] = {*update_fields, "owner_nik_hash"}
        super().save(*args, **kwargs)

    @property
    def owner_nik_masked(self) -> str:
        return mask_nik(self.owner_nik)

    @property
    def is_active(self) -> bool:
        return self.status not in INACTIVE_STATUSES


def product_names_of(names) -> str:
    """The text ``Enterprise.product_names`` holds for these product names."""
    return " | ".join(n for n in names if n)[:2000]


def mask_nik(nik: str) -> str:
    """`************1234`: only the last four digits of a NIK are shown."""
    if not nik:
        return ""
    return "*" * (len(nik) - 4) + nik[-4:] if len(nik) > 4 else "*" * len(nik)


class Product(models.Model):
    """A product line of a business, classified by a five-digit KBLI code of one version."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("business"), on_delete=models.CASCADE, related_name="products"
    )
    kbli = models.ForeignKey(Kbli, verbose_name=_("KBLI"), on_delete=models.PROTECT)
    # The code and version as they were chosen: the KBLI filter reads them without a join.
    kbli_code = models.CharField(_("KBLI code"), max_length=5, editable=False)
    kbli_version = models.CharField(_("KBLI version"), max_length=4, editable=False)
    name = models.CharField(_("product name"), max_length=150)
    capacity_per_year = models.DecimalField(
        _("capacity per year"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    capacity_unit = models.CharField(
        _("unit"), max_length=8, choices=CapacityUnit.choices, blank=True
    )
    raw_materials = models.CharField(_("raw materials"), max_length=255, blank=True)
    marketing_reach = models.CharField(
        _("marketing reach"), max_length=8, choices=MarketingReach.choices, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["enterprise", "position", "id"]
        indexes = [
            models.Index(fields=["kbli_code", "enterprise"], name="registry_product_kbli_ent")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kbli_code})"

    def save(self, *args, **kwargs):
        # Keep the denormalised code and version equal to the chosen KBLI row.
        if self.kbli_id is not None:
            self.kbli_code = self.kbli.code
            self.kbli_version = self.kbli.version
        super().save(*args, **kwargs)


class Certification(models.Model):
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("business"),
        on_delete=models.CASCADE,
        related_name="certifications",
    )
    kind = models.CharField(_("certification"), max_length=12, choices=CertificationKind.choices)
    number = models.CharField(_("number"), max_length=100, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["enterprise", "kind", "id"]
        indexes = [models.Index(fields=["kind", "enterprise"], name="registry_cert_kind_ent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()


# The fields an owner or the office writes, grouped by the steps of the registration form.
# Foreign keys are named without `_id`; services take model instances for them.
OWNER_FIELDS = ("owner_name", "owner_nik", "owner_gender", "phone", "email")
BUSINESS_FIELDS = ("name", "brand", "nib", "npwp", "legal_form", "year_established", "sentra")
LOCATION_FIELDS = ("address", "rt_rw", "kelurahan", "postal_code", "latitude", "longitude")
WORKFORCE_FIELDS = (
    "workers_male",
    "workers_female",
    "workers_unspecified",
    "investment_idr",
    "land_building_idr",
    "annual_turnover_idr",
    "modal_usaha_idr",
)
EDITABLE_FIELDS = OWNER_FIELDS + BUSINESS_FIELDS + LOCATION_FIELDS + WORKFORCE_FIELDS
FOREIGN_KEY_FIELDS = ("sentra", "kelurahan")
PRODUCT_FIELDS = (
    "kbli",
    "name",
    "capacity_per_year",
    "capacity_unit",
    "raw_materials",
    "marketing_reach",
)
CERTIFICATION_FIELDS = ("kind", "number", "expires_on")
