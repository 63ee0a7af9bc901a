from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from ikm_portal.core.exceptions import ApplicationError
from ikm_portal.core.services import activity_log
from ikm_portal.privacy.choices import Purpose
from ikm_portal.privacy.selectors import notice_current_version
from ikm_portal.privacy.services import consent_give

from .choices import Role
from .models import User


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    full_name: str,
    role: str,
    phone: str = "",
    language: str = "id",
    accepted_terms: bool = False,
    actor: User | None = None,
    consent_context: str = "signup",
    channel: str = "page",
) -> User:
    if role not in Role.values:
        raise ApplicationError(f"Unknown role {role!r}.", field_errors={"role": ["Unknown role."]})
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            field_errors={"email": ["A user with this e-mail address already exists."]}
        )
    extra = {}
    if accepted_terms:
        extra = {
            "terms_version": settings.TERMS_VERSION,
            "privacy_version": notice_current_version(),
            "terms_accepted_at": timezone.now(),
        }
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        phone=phone,
        language=language,
        is_staff=role == Role.OFFICE_ADMIN,
        **extra,
    )
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    activity_log(target=user, action="user.created", actor=actor, to_state=role)
    if accepted_terms:
        # The notice acknowledged at sign-up: the register's purpose, with its version.
        consent_give(
            user=user,
            purpose=Purpose.REGISTRY,
            context=consent_context,
            channel=channel,
            actor=user,
        )
    return user


def user_signup(
    *,
    email: str,
    password: str,
    full_name: str,
    phone: str,
    language: str = "id",
    channel: str = "page",
) -> User:
    """An IKM owner signs up (page or API). Terms and privacy notice accepted now."""
    return user_create(
        email=email,
        password=password,
        full_name=full_name,
        phone=phone,
        language=language,
        role=Role.IKM_OWNER,
        accepted_terms=True,
        channel=channel,
    )


def user_update_profile(*, user: User, full_name: str, phone: str, language: str) -> User:
    user.full_name = full_name
    user.phone = phone
    user.language = language
    user.save(update_fields=["full_name", "phone", "language"])
    return user


def user_set_language(*, user: User, language: str) -> None:
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def user_password_changed(*, user: User) -> None:
    """Called after any password change or reset: API tokens die with the old password (other
    browser sessions already do, through the session's password hash)."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    activity_log(target=user, action="user.password_changed", actor=user)
