"""The fixture world of tests/security/world.py, built once per module inside a transaction
that is rolled back at the end of the module; each test runs in a savepoint inside it, so a
request that changes something leaves the world as it was for the next one."""

import pytest
from django.db import transaction
from django.test.utils import override_settings

from .world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
