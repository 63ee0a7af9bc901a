import pytest
from django.db import IntegrityError, transaction

from registry.choices import EnterpriseStatus, SizeClass, UmkmClass
from registry.models import Enterprise, mask_nik
from tests.factories import EnterpriseFactory, VerifiedEnterpriseFactory

pytestmark = pytest.mark.django_db


def test_enterprise_factory_derives_classes_and_kecamatan():
    enterprise = EnterpriseFactory()
    assert enterprise.status == EnterpriseStatus.DRAFT
    assert enterprise.kecamatan_id == "35.73.05"
    assert enterprise.workers_total == 5
    assert enterprise.size_class == SizeClass.KECIL
    assert enterprise.umkm_class == UmkmClass.MIKRO
    assert enterprise.products.count() == 1
    assert enterprise.products.get().kbli_code == "10391"


def test_verified_factory_is_verified_by_default():
    assert VerifiedEnterpriseFactory().status == EnterpriseStatus.VERIFIED
    assert EnterpriseFactory(verified=True).verified_at is not None


def test_walk_in_factory_has_no_owner():
    assert EnterpriseFactory(owner=None).owner is None


def test_active_nib_is_unique_in_the_database():
    EnterpriseFactory(nib="1234567890123")
    with pytest.raises(IntegrityError), transaction.atomic():
        EnterpriseFactory(nib="1234567890123")


def test_archived_nib_does_not_block_a_new_record():
    EnterpriseFactory(nib="1234567890123", status=EnterpriseStatus.ARCHIVED)
    EnterpriseFactory(nib="1234567890123")
    assert Enterprise.objects.filter(nib="1234567890123").count() == 2


def test_mask_nik_keeps_last_four_digits():
    assert mask_nik("3573051204850001") == "************0001"
    assert mask_nik("") == ""
