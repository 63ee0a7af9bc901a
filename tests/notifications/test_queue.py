"""notification_queue: rows per channel, idempotency, preferences, mandatory keys, recipients."""

import copy
from datetime import date
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import transaction

from ikm_portal.notifications import catalog
from ikm_portal.notifications.models import Notification
from ikm_portal.notifications.services import Recipient, notification_queue
from tests.factories import UserFactory
from tests.factories.notifications import NotificationPreferenceFactory
from tests.factories.partnerships import PartnerFactory

pytestmark = pytest.mark.django_db

TEST_TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture
def decision_template(settings):
    """A mandatory key registered by "another app", with its templates in tests/."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEST_TEMPLATES]
    settings.TEMPLATES = templates
    catalog.register_template("test_decision", mandatory=True, label="Decision")
    yield "test_decision"
    catalog._registered.pop("test_decision", None)


@pytest.fixture
def optional_template(settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEST_TEMPLATES]
    settings.TEMPLATES = templates
    catalog._registered.pop("test_decision", None)
    catalog.register_template("test_decision", mandatory=False)
    yield "test_decision"
    catalog._registered.pop("test_decision", None)


def queue(recipient, template="staff_digest", channels=("email", "in_app"), key="event:1", **kw):
    context = kw.pop(
        "context",
        {"date": date(2026, 11, 29), "items": [], "total": 0, "program": "Efisiensi Produk"},
    )
    return notification_queue(
        recipient=recipient,
        template=template,
        context={"decision": "selected", **context},
        channels=list(channels),
        key=key,
        **kw,
    )


def test_queue_writes_one_row_per_channel_keyed_by_event_and_channel(owner):
    rows = queue(owner, key="application:42:stage1:selected")
    assert [(r.channel, r.key) for r in rows] == [
        ("email", "application:42:stage1:selected:email"),
        ("in_app", "application:42:stage1:selected:in_app"),
    ]
    email, in_app = rows
    assert (email.status, email.address, email.recipient_id) == ("queued", owner.email, owner.pk)
    assert (in_app.status, in_app.address) == ("sent", "")
    assert in_app.sent_at is not None


def test_queue_same_key_twice_yields_one_row_and_one_send(owner, deliver_on_commit):
    with deliver_on_commit():
        first = queue(owner, key="event:twice")
    with deliver_on_commit():
        second = queue(owner, key="event:twice")
    assert [r.pk for r in first] == [r.pk for r in second]
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 1


def test_queue_delivers_email_after_commit_in_process(owner, deliver_on_commit):
    with deliver_on_commit() as callbacks:
        rows = queue(owner)
        assert mail.outbox == []
    assert len(callbacks) == 1
    rows[0].refresh_from_db()
    assert rows[0].status == "sent"
    assert rows[0].attempts == 1
    assert mail.outbox[0].to == [owner.email]
    assert mail.outbox[0].subject == rows[0].subject


def test_queue_in_a_rolled_back_transaction_writes_and_sends_nothing(owner, deliver_on_commit):
    with deliver_on_commit() as callbacks:
        try:
            with transaction.atomic():
                queue(owner)
                raise RuntimeError("the caller's service failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_queue_optional_template_respects_email_turned_off(owner):
    NotificationPreferenceFactory(user=owner, email=False)
    rows = queue(owner)
    assert [r.channel for r in rows] == ["in_app"]


def test_queue_optional_template_sends_only_requested_channels(owner):
    rows = queue(owner, channels=["in_app"])
    assert [r.channel for r in rows] == ["in_app"]


def test_queue_mandatory_template_goes_by_email_and_in_app_whatever_the_choices(
    owner, decision_template
):
    NotificationPreferenceFactory(user=owner, email=False)
    rows = queue(owner, template=decision_template, channels=["whatsapp"])
    # WhatsApp is not chosen by the user, e-mail and in-app are forced by the key.
    assert [r.channel for r in rows] == ["email", "in_app"]


def test_queue_optional_key_registered_later_follows_the_choices(owner, optional_template):
    NotificationPreferenceFactory(user=owner, email=False)
    rows = queue(owner, template=optional_template, channels=["email"])
    assert rows == []


def test_queue_app_declares_mandatory_keys_on_its_appconfig(monkeypatch):
    from django.apps import apps

    config = apps.get_app_config("partnerships")
    monkeypatch.setattr(
        config,
        "notification_templates",
        {"partner_agreement_signed": {"mandatory": True}},
        raising=False,
    )
    monkeypatch.setattr(catalog, "_collected", False)
    try:
        assert catalog.get_template("partner_agreement_signed").mandatory is True
        assert catalog.get_template("staff_digest").mandatory is False
        assert catalog.get_template("password_reset").mandatory is True
    finally:
        catalog._registered.pop("partner_agreement_signed", None)


def test_queue_unknown_template_writes_failed_rows_without_breaking_the_caller(
    owner, deliver_on_commit, caplog
):
    with deliver_on_commit():
        rows = queue(owner, template="training.no_such_template")
    assert [(r.channel, r.status, r.template) for r in rows] == [
        ("email", "failed", "training.no_such_template"),
        ("in_app", "failed", "training.no_such_template"),
    ]
    assert rows[0].last_error == (
        "Unknown notification template 'training.no_such_template': declare it in an "
        "AppConfig's notification_templates (docs/notifications.md)."
    )
    assert "Unknown notification template" in caplog.text
    assert mail.outbox == []


def test_queue_declared_key_without_templates_fails_its_rows_then_resend_renders_them(
    owner, staff, decision_template, deliver_on_commit, settings
):
    from ikm_portal.notifications.services import notification_resend

    owner.language = "en"  # rendered in the recipient's language; asserted in English
    owner.save(update_fields=["language"])
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [Path("/nonexistent")]}]
    rows = queue(owner, template=decision_template, channels=["email"])
    assert [r.status for r in rows] == ["failed", "failed"]
    assert rows[0].last_error.startswith("Template missing for 'test_decision':")
    assert rows[0].body == ""

    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [TEST_TEMPLATES]}]
    with deliver_on_commit():
        notification_resend(notification=rows[0], actor=staff)
    email = Notification.objects.get(pk=rows[0].pk)
    assert (email.status, email.subject) == ("sent", "Decision: Efisiensi Produk")
    assert mail.outbox[0].body == f"Hello {owner.full_name}, Efisiensi Produk decided: selected."


def test_queue_unknown_channel_raises(owner):
    with pytest.raises(ValueError):
        queue(owner, channels=["pigeon"])


def test_queue_whatsapp_needs_the_users_choice(owner, gateway):
    rows = queue(owner, channels=["whatsapp"])
    assert rows == []
    NotificationPreferenceFactory(user=owner, whatsapp=True)
    rows = queue(owner, channels=["whatsapp"], key="event:2")
    assert [(r.channel, r.address) for r in rows] == [("whatsapp", owner.phone)]


def test_queue_whatsapp_without_a_gateway_stays_queued_and_says_why(owner, deliver_on_commit):
    NotificationPreferenceFactory(user=owner, whatsapp=True)
    with deliver_on_commit():
        rows = queue(owner, channels=["whatsapp"])
    row = Notification.objects.get(pk=rows[0].pk)
    assert row.status == "queued"
    assert row.attempts == 0
    assert row.last_error == (
        "The WhatsApp gateway is not configured (WHATSAPP_API_URL); the message waits until it is."
    )


def test_queue_user_without_phone_gets_no_sms(deliver_on_commit):
    user = UserFactory(role="ikm_owner", phone="")
    NotificationPreferenceFactory(user=user, sms=True)
    assert queue(user, channels=["sms"]) == []


def test_queue_bare_email_recipient_gets_email_only(deliver_on_commit):
    with deliver_on_commit():
        rows = queue("Calon.Peserta@Example.ID", channels=["email", "in_app", "sms"])
    assert [(r.channel, r.address, r.recipient_id) for r in rows] == [
        ("email", "calon.peserta@example.id", None)
    ]
    assert mail.outbox[0].to == ["calon.peserta@example.id"]


def test_queue_bare_phone_recipient_is_stored_in_e164(gateway):
    rows = queue(Recipient(phone="0812-3456-7890", name="Bu Sri"), channels=["sms", "email"])
    assert [(r.channel, r.address) for r in rows] == [("sms", "+6281234567890")]


def test_queue_bare_recipient_with_bad_phone_raises():
    with pytest.raises(ValueError):
        queue("12345", channels=["sms"])


def test_queue_inactive_user_gets_nothing():
    user = UserFactory(role="ikm_owner", is_active=False)
    assert queue(user) == []
    assert Notification.objects.count() == 0


def test_queue_keeps_the_related_object_generically(owner):
    partner = PartnerFactory()
    rows = queue(owner, related=partner)
    assert {(r.content_type, r.object_id) for r in rows} == {
        (ContentType.objects.get_for_model(partner), str(partner.pk))
    }
    assert rows[0].related == partner


def test_queue_stores_the_context_as_json(owner):
    rows = queue(owner, context={"date": date(2026, 11, 29), "items": [], "total": 0})
    row = Notification.objects.get(pk=rows[0].pk)
    assert row.context == {"date": "2026-11-29", "items": [], "total": 0, "decision": "selected"}


def test_queue_rejects_an_empty_key(owner):
    with pytest.raises(ValueError):
        queue(owner, key="")
