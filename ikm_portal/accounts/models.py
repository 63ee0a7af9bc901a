from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OFFICE_ROLES, PARTNER_ROLES, Language, Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address. Roles are Django groups."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(
        _("mobile phone"), max_length=16, blank=True, help_text=_("Stored as +628…")
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.ID
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Whether the user can sign in to the Django admin site."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    terms_version = models.CharField(_("terms version accepted"), max_length=20, blank=True)
    privacy_version = models.CharField(
        _("privacy notice version accepted"), max_length=20, blank=True
    )
    terms_accepted_at = models.DateTimeField(_("terms accepted at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def roles(self) -> list[str]:
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            valid = set(Role.values)
            cached = sorted(g.name for g in self.groups.all() if g.name in valid)
            self._roles_cache = cached
        return cached

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in self.roles]

    def has_role(self, *roles: str) -> bool:
        return bool(set(self.roles) & set(roles))

    @property
    def is_office(self) -> bool:
        return self.is_active and (self.is_superuser or self.has_role(*OFFICE_ROLES))

    @property
    def is_partner(self) -> bool:
        return self.is_active and self.has_role(*PARTNER_ROLES)

    @property
    def is_owner(self) -> bool:
        return self.is_active and self.has_role(Role.IKM_OWNER)
