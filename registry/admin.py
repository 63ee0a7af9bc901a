"""The admin site writes through the same history service as every other path: a save
records the field-level changes with source "admin"."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .choices import HistorySource
from .models import (
    Certification,
    ChangeRequest,
    Document,
    DuplicateFlag,
    Enterprise,
    EnterpriseClaim,
    FacilitationRecord,
    FieldChange,
    ImportJob,
    Kbli,
    Product,
    Region,
    Sentra,
    mask_nik,
    product_names_of,
)
from .services import enterprise_derive, name_key
from .services.duplicates import duplicate_message, exact_duplicate
from .services.history import enterprise_snapshot, history_record


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "postal_code"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Kbli)
class KbliAdmin(admin.ModelAdmin):
    list_display = ["code", "title_id", "level", "version"]
    list_filter = ["version", "level"]
    search_fields = ["code", "title_id", "title_en"]


@admin.register(Sentra)
class SentraAdmin(admin.ModelAdmin):
    list_display = ["name", "kelurahan", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    raw_id_fields = ["kelurahan"]


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0
    raw_id_fields = ["kbli"]
    fields = [
        "kbli",
        "name",
        "capacity_per_year",
        "capacity_unit",
        "raw_materials",
        "marketing_reach",
        "position",
    ]


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0


class EnterpriseAdminForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = "__all__"  # noqa: DJ007 — the admin edits every editable field

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The NIK is masked everywhere, the admin site too (issue 8): the field starts empty and
        # empty keeps the stored NIK; unmasking is the logged action on the business page.
        if "owner_nik" in self.fields and self.instance.pk and self.instance.owner_nik:
            self.initial["owner_nik"] = ""
            self.fields["owner_nik"].help_text = _(
                "Leave empty to keep the NIK on file (%(masked)s); type a new one to change it."
            ) % {"masked": mask_nik(self.instance.owner_nik)}

    def clean_owner_nik(self):
        value = self.cleaned_data.get("owner_nik") or ""
        if not value and self.instance.pk:
            return self.instance.owner_nik
        return value

    def clean(self):
        cleaned = super().clean()
        status = self.instance.status if self.instance.pk else "draft"
        if status not in ("archived", "rejected"):
            found = exact_duplicate(
                nib=cleaned.get("nib") or "",
                owner_nik=cleaned.get("owner_nik") or "",
                name_key=name_key(cleaned.get("name") or ""),
                exclude_id=self.instance.pk,
            )
            if found:
                field, message = duplicate_message(found[0], found[1].status)
                self.add_error(field, message)
        return cleaned


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "owner_name", "kelurahan", "status", "size_class", "created_at"]
    list_filter = ["status", "size_class", "umkm_class", "source", "kecamatan"]
    search_fields = ["name", "brand", "owner_name", "nib", "phone"]
    raw_id_fields = ["owner", "created_by", "kelurahan", "sentra"]
    readonly_fields = [
        "kecamatan",
        "workers_total",
        "size_class",
        "size_class_rule",
        "umkm_class",
        "umkm_class_rule",
        "status",
        "status_reason",
        "submitted_at",
        "verified_at",
        "consent_version",
        "consent_at",
    ]
    form = EnterpriseAdminForm
    inlines = [ProductInline, CertificationInline]
    list_select_related = ["kelurahan"]

    def save_model(self, request, obj, form, change):
        if change:
            current = Enterprise.objects.select_related("kelurahan", "sentra", "owner").get(
                pk=obj.pk
            )
            request._registry_before = enterprise_snapshot(current)
        else:
            request._registry_before = {}
        if obj.kelurahan_id:
            obj.kelurahan = Region.objects.get(pk=obj.kelurahan_id)
        enterprise_derive(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        enterprise = form.instance
        for product in enterprise.products.all():
            if product.kbli_code != product.kbli.code:
                product.save()
        names = product_names_of(enterprise.products.values_list("name", flat=True))
        Enterprise.objects.filter(pk=enterprise.pk).update(product_names=names)
        history_record(
            enterprise=enterprise,
            actor=request.user,
            source=HistorySource.ADMIN,
            before=getattr(request, "_registry_before", {}),
            after=enterprise_snapshot(enterprise),
        )


@admin.register(FieldChange)
class FieldChangeAdmin(admin.ModelAdmin):
    list_display = [
        "enterprise",
        "field",
        "old_value",
        "new_value",
        "actor",
        "source",
        "changed_at",
    ]
    list_filter = ["source", "field"]
    raw_id_fields = ["enterprise", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "status", "requested_by", "created_at", "decided_at"]
    list_filter = ["status"]
    raw_id_fields = ["enterprise", "requested_by", "decided_by"]
    readonly_fields = ["status", "data"]


@admin.register(EnterpriseClaim)
class EnterpriseClaimAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "user", "status", "phone_match", "email_match", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["enterprise", "user", "decided_by"]
    readonly_fields = ["status"]


@admin.register(DuplicateFlag)
class DuplicateFlagAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "other", "kind", "score", "status", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["enterprise", "other", "resolved_by"]


@admin.register(FacilitationRecord)
class FacilitationRecordAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "kind", "date", "status"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["enterprise", "recorded_by"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "kind", "original_name", "size", "created_at"]
    raw_id_fields = ["enterprise", "uploaded_by"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["original_name", "status", "total_rows", "created_count", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["report"]
