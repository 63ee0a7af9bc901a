import pytest

from registry.services.reference import (
    BUNDLED_KBLI,
    BUNDLED_POSTAL_CODES,
    BUNDLED_REGIONS,
    kbli_load,
    postal_codes_load,
    regions_load,
)


@pytest.fixture
def reference(db):
    """Kota Malang's regions with postal codes, and KBLI 2020 section C, as `make run` loads."""
    regions_load(BUNDLED_REGIONS["malang"])
    postal_codes_load(BUNDLED_POSTAL_CODES)
    kbli_load(BUNDLED_KBLI)
