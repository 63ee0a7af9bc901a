"""NIK encrypted at rest, with a keyed hash for exact lookup; key rotation; error reports."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory, override_settings

from ikm_portal.core.crypto import decrypt_text, encrypt_text, keyed_hash
from ikm_portal.core.reporting import PersonalDataExceptionReporterFilter
from registry.models import Enterprise
from tests.factories import EnterpriseFactory

NIK = "3573054512850001"
KEY_OLD = Fernet.generate_key().decode()
KEY_NEW = Fernet.generate_key().decode()


def _raw(enterprise):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT owner_nik, owner_nik_hash FROM registry_enterprise WHERE id = %s",
            [enterprise.pk],
        )
        return cursor.fetchone()


def test_encrypt_uses_a_random_iv_and_decrypts_back():
    first, second = encrypt_text(NIK), encrypt_text(NIK)
    assert first != second
    assert (decrypt_text(first), decrypt_text(second)) == (NIK, NIK)
    assert keyed_hash(NIK) == keyed_hash(NIK) != keyed_hash("3573054512850002")
    assert keyed_hash("") == ""


@pytest.mark.django_db
def test_nik_is_stored_encrypted_with_its_keyed_hash():
    enterprise = EnterpriseFactory(owner_nik=NIK)
    token, digest = _raw(enterprise)
    assert NIK not in token
    assert token.startswith("gAAAAA")
    assert digest == keyed_hash(NIK)
    assert Enterprise.objects.get(pk=enterprise.pk).owner_nik == NIK
    assert list(
        Enterprise.objects.filter(pk=enterprise.pk).values_list("owner_nik", flat=True)
    ) == [NIK]


@pytest.mark.django_db
def test_lookup_by_value_is_refused_but_the_hash_finds_the_row():
    enterprise = EnterpriseFactory(owner_nik=NIK)
    with pytest.raises(FieldError):
        list(Enterprise.objects.filter(owner_nik=NIK))
    with pytest.raises(FieldError):
        list(Enterprise.objects.filter(owner_nik__startswith="3573"))
    assert list(Enterprise.objects.filter(owner_nik_hash=keyed_hash(NIK))) == [enterprise]
    assert Enterprise.objects.filter(owner_nik="").count() == 0


@pytest.mark.django_db
def test_hash_follows_the_nik_in_a_partial_save_and_bulk_create():
    enterprise = EnterpriseFactory(owner_nik=NIK)
    enterprise.owner_nik = "3573054512850002"
    enterprise.save(update_fields=["owner_nik"])
    assert _raw(enterprise)[1] == keyed_hash("3573054512850002")
    enterprise.owner_nik = ""
    enterprise.save(update_fields=["owner_nik"])
    assert _raw(enterprise) == ("", "")
    copy = Enterprise(name="Keripik Bulk", owner_nik=NIK)
    [created] = Enterprise.objects.bulk_create([copy])
    assert _raw(created)[1] == keyed_hash(NIK)


@pytest.mark.django_db
def test_rotation_re_encrypts_under_the_new_key():
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_OLD]):
        enterprise = EnterpriseFactory(owner_nik=NIK)
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_NEW, KEY_OLD]):
        call_command("rotate_encryption_keys", stdout=None)
    token = _raw(enterprise)[0]
    assert Fernet(KEY_NEW.encode()).decrypt(token.encode()).decode() == NIK
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_NEW]):
        assert Enterprise.objects.get(pk=enterprise.pk).owner_nik == NIK


@pytest.mark.django_db
def test_rehash_recomputes_the_lookup_hash_under_a_new_hash_key():
    enterprise = EnterpriseFactory(owner_nik=NIK)
    with override_settings(PERSONAL_DATA_HASH_KEY="a-new-hash-key"):
        call_command("rotate_encryption_keys", "--rehash", stdout=None)
        expected = keyed_hash(NIK)
    assert _raw(enterprise)[1] == expected != keyed_hash(NIK)


def test_error_reports_cleanse_personal_post_fields():
    request = RequestFactory().post(
        "/x/", {"owner_nik": NIK, "phone": "081234567890", "note": f"nik {NIK}", "name": "Tempe"}
    )
    params = PersonalDataExceptionReporterFilter().get_post_parameters(request)
    assert params["owner_nik"] == params["phone"] == "********************"
    assert params["note"] == "nik [NIK]"
    assert params["name"] == "Tempe"
