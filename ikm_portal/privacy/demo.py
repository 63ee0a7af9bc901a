"""Demo: the demo owner acknowledged the notice at sign-up and takes the office's news."""

from django.contrib.auth import get_user_model

from .choices import ConsentContext, Purpose
from .services import consent_give

DEMO_OWNER_EMAIL = "pemilik@demo.ikm.id"


def load_demo(stdout) -> list:
    owner = get_user_model().objects.filter(email=DEMO_OWNER_EMAIL).first()
    if owner is None:
        return []
    for purpose in (Purpose.REGISTRY, Purpose.NEWS):
        consent_give(user=owner, purpose=purpose, context=ConsentContext.DEMO, actor=owner)
    stdout.write("privacy: demo owner's consents")
    return []
