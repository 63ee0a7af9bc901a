import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_notice_cache():
    """The current notice version is cached: each test starts and ends without it."""
    cache.clear()
    yield
    cache.clear()
