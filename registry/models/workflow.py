import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.models import TimeStampedModel
from ikm_portal.core.uploads import random_upload_name

from ..choices import (
    ChangeRequestStatus,
    ClaimStatus,
    DocumentKind,
    DuplicateFlagStatus,
    DuplicateKind,
    FacilitationKind,
    FacilitationStatus,
    HistorySource,
    ImportMode,
    ImportStatus,
)
from .enterprise import Enterprise


class FieldChange(models.Model):
    """Field-level history of a business: one row per field per write (who, when, old → new).

    Written only by ``services.history_record`` — the one path every writer (pages, API,
    import, merge, change requests, the admin site) goes through."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("business"), on_delete=models.CASCADE, related_name="history"
    )
    batch = models.UUIDField(_("change set"), default=uuid.uuid4, db_index=True)
    changed_at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("via"), max_length=16, choices=HistorySource.choices)
    field = models.CharField(_("field"), max_length=40)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)

    class Meta:
        verbose_name = _("field change")
        verbose_name_plural = _("history of changes")
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "-changed_at"], name="registry_history_ent_time")
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class ChangeRequest(TimeStampedModel):
    """An owner proposes changes to a verified business; the verified data stays until approved."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("business"),
        on_delete=models.CASCADE,
        related_name="change_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("proposed values"), default=dict)
    note = models.TextField(_("note from the owner"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ChangeRequestStatus.choices,
        default=ChangeRequestStatus.PENDING,
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="registry_cr_status_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status=ChangeRequestStatus.PENDING),
                name="registry_cr_one_pending",
                violation_error_message=_("This business already has a pending change request."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} ({self.get_status_display()})"


class EnterpriseClaim(TimeStampedModel):
    """An owner account claims a business the office registered without one."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("business"), on_delete=models.CASCADE, related_name="claims"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        on_delete=models.CASCADE,
        related_name="enterprise_claims",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    phone_match = models.BooleanField(_("phone matches"), default=False)
    email_match = models.BooleanField(_("e-mail matches"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("claim of a business")
        verbose_name_plural = _("claims of businesses")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "user"],
                condition=Q(status=ClaimStatus.PENDING),
                name="registry_claim_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.enterprise}"


class DuplicateFlag(models.Model):
    """A possible duplicate pair, shown to staff; never a refusal. The pair is stored with the
    lower id first so that each pair and kind is flagged once."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="duplicate_flags_low"
    )
    other = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="duplicate_flags_high"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DuplicateKind.choices)
    score = models.FloatField(_("similarity"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=13,
        choices=DuplicateFlagStatus.choices,
        default=DuplicateFlagStatus.OPEN,
    )
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "other", "kind"], name="registry_dupflag_pair_kind"
            ),
            models.CheckConstraint(
                condition=Q(enterprise__lt=F("other")), name="registry_dupflag_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "other"], name="registry_dupflag_status_other")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} ~ {self.other_id} ({self.kind})"


class FacilitationRecord(TimeStampedModel):
    """A service of the office for a business: NIB assistance, halal, PIRT, exhibitions …"""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("business"),
        on_delete=models.CASCADE,
        related_name="facilitations",
    )
    kind = models.CharField(_("service"), max_length=12, choices=FacilitationKind.choices)
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=FacilitationStatus.choices,
        default=FacilitationStatus.PROSES,
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("facilitation record")
        verbose_name_plural = _("facilitation records")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["kind", "status"], name="registry_facil_kind_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


def document_upload_to(instance, filename: str) -> str:
    # The stored name never carries the uploader's file name (which may hold personal data).
    return random_upload_name("registry/documents", filename)


class Document(TimeStampedModel):
    """A file about a business (NIB certificate, halal certificate, photos). Served only by a view
    that checks who may see the business."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("business"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_upload_to)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


def import_upload_to(instance, filename: str) -> str:
    return random_upload_name("registry/imports", filename)


class ImportJob(TimeStampedModel):
    """One uploaded office spreadsheet: checked first (dry run), imported after confirmation.
    The report (errors per row and column, duplicates) stays available."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to=import_upload_to)
    original_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("format"), max_length=4)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    mode = models.CharField(
        _("mode"), max_length=14, choices=ImportMode.choices, default=ImportMode.VALID_ROWS
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    duplicate_rows = models.PositiveIntegerField(_("rows with possible duplicates"), default=0)
    created_count = models.PositiveIntegerField(_("businesses created"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
