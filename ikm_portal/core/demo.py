"""Helpers for the demo data that `make run` loads (`manage.py load_demo`)."""

DEMO_PASSWORD = "ikm-demo-2026"


def demo_user(*, email: str, full_name: str, role: str, phone: str = ""):
    """Create a demo user once; running the loader again changes nothing."""
    from ikm_portal.accounts.models import User
    from ikm_portal.accounts.services import user_create

    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return existing
    return user_create(
        email=email,
        password=DEMO_PASSWORD,
        full_name=full_name,
        role=role,
        phone=phone,
        accepted_terms=True,
    )
