import pytest
from django.core import mail


@pytest.fixture(autouse=True)
def _clean_outbox():
    mail.outbox = []
