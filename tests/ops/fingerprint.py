"""What the portal serves from a database, as one JSON document: row counts and primary keys of
every model, each user's `GET /api/v1/accounts/me/`, every list endpoint of the API router as
an office administrator, and the content of every media file. Run in a fresh interpreter with
DATABASE_URL and MEDIA_ROOT pointing at the installation to describe (see test_backup_restore).
"""

import hashlib
import json
import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ikm_portal.settings.test")
    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from ikm_portal.api import router

    out: dict = {"models": {}, "me": {}, "api": {}, "media": {}}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        pks = sorted(str(pk) for pk in model._default_manager.values_list("pk", flat=True))
        out["models"][model._meta.label] = {"count": len(pks), "pks": pks}

    users = get_user_model().objects.order_by("pk")
    for user in users:
        client = Client()
        _login(client, user)
        response = client.get("/api/v1/accounts/me/")
        out["me"][user.email] = [response.status_code, response.json()]

    admin = (
        users.filter(is_superuser=True).first() or users.filter(groups__name="office_admin").first()
    )
    if admin is not None:
        client = Client()
        _login(client, admin)
        for prefix, _viewset, _basename in router.registry:
            response = client.get(f"/api/v1/{prefix}/")
            body = (
                response.json() if response["Content-Type"].startswith("application/json") else None
            )
            out["api"][prefix] = [response.status_code, body]

    root = settings.MEDIA_ROOT
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as fh:
                out["media"][os.path.relpath(path, root)] = hashlib.sha256(fh.read()).hexdigest()
    print(json.dumps(out, sort_keys=True, default=str))


def _login(client, user) -> None:
    """Sign in as the real two-step login would: the session is also verified with the user's
    two-factor device when they have one (office admins must)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


if __name__ == "__main__":
    main()
