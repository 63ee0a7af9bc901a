"""API token authentication that reads the user's roles with the token (one query, not two).

Every API request checks roles (office, owner, partner) right after authenticating; DRF's
TokenAuthentication reads the token and the user, and the first role check reads the groups.
On PostgreSQL the role names come with the token as an array subquery; elsewhere the groups
are read as before. Same rules as DRF's: an unknown token or an inactive user is a 401."""

from django.contrib.auth.models import Group
from django.db import connections
from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .choices import Role


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        tokens = self.get_model().objects.select_related("user")
        postgres = connections[tokens.db].vendor == "postgresql"
        if postgres:
            from django.contrib.postgres.expressions import ArraySubquery

            tokens = tokens.annotate(
                group_names=ArraySubquery(
                    Group.objects.filter(user=OuterRef("user_id")).values("name")
                )
            )
        try:
            token = tokens.get(key=key)
        except self.get_model().DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if postgres:
            valid = set(Role.values)
            user._roles_cache = sorted(name for name in token.group_names if name in valid)
        return (user, token)
