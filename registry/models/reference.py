from django.db import models
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.models import TimeStampedModel

from ..choices import KbliLevel, RegionLevel


class Region(models.Model):
    """A Kemendagri region, identified by its dotted code (35.73.05.1004 = Dinoyo)."""

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    postal_code = models.CharField(
        _("postal code"),
        max_length=5,
        blank=True,
        help_text=_("Indicative postal code of a kelurahan, offered as the default."),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "parent"], name="registry_region_level_parent")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_village(self) -> bool:
        return self.level in (RegionLevel.KELURAHAN, RegionLevel.DESA)


class Kbli(models.Model):
    """A KBLI code of one version (KBLI 2020, 2025 …); a code may move between versions."""

    code = models.CharField(_("code"), max_length=5)
    version = models.CharField(_("version"), max_length=4, default="2020")
    level = models.CharField(_("level"), max_length=10, choices=KbliLevel.choices)
    title_id = models.CharField(_("title (Indonesian)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("KBLI code")
        verbose_name_plural = _("KBLI codes")
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="registry_kbli_version_code")
        ]
        indexes = [models.Index(fields=["level", "code"], name="registry_kbli_level_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title_id}"

    @property
    def title(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "id").startswith("en") and self.title_en:
            return self.title_en
        return self.title_id


class Sentra(TimeStampedModel):
    """A cluster of producers the office keeps on its list (e.g. Sentra Keramik Dinoyo)."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    kelurahan = models.ForeignKey(
        Region,
        verbose_name=_("kelurahan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sentra",
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sentra")
        verbose_name_plural = _("sentra")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
