"""Roles are Django groups. Each app declares what its roles may do with a ``role_permissions``
attribute on its AppConfig (``{role: ["app_label.codename", ...]}``); office_admin holds every
permission. ``sync_roles`` is idempotent and runs after every migrate (and test flush)."""

from django.apps import apps as global_apps
from django.db.models.signals import post_migrate

from .choices import Role


def declared_role_permissions(app_registry=global_apps) -> dict[str, set[str]]:
    declared: dict[str, set[str]] = {role: set() for role in Role.values}
    for config in app_registry.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            declared.setdefault(role, set()).update(perms)
    return declared


def sync_roles(*, using: str = "default") -> dict[str, int]:
    from django.contrib.auth.models import Group, Permission

    declared = declared_role_permissions()
    all_perms = list(Permission.objects.using(using).select_related("content_type"))
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in all_perms}
    counts = {}
    for role in Role.values:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        if role == Role.OFFICE_ADMIN:
            wanted = all_perms
        else:
            wanted = [by_name[name] for name in sorted(declared.get(role, ())) if name in by_name]
        group.permissions.set(wanted)
        counts[role] = len(wanted)
    return counts


def _after_migrate(sender, using="default", **kwargs):
    # Permissions of every app exist only once the last app has migrated.
    # post_migrate is sent once per app that has a models module.
    with_models = [c for c in global_apps.get_app_configs() if c.models_module is not None]
    if sender is with_models[-1]:
        sync_roles(using=using)


def connect():
    post_migrate.connect(_after_migrate, dispatch_uid="accounts.sync_roles")
