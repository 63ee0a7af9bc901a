"""Messages render from templates/notifications/<key>/ in the recipient's language."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ikm_portal.notifications.rendering import render_message
from ikm_portal.notifications.services import notification_queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET = {
    "reset_url": "http://testserver/accounts/password/reset/MQ/abc-123/",
    "requested_at": datetime(2026, 11, 29, 14, 30, tzinfo=ZoneInfo("Asia/Jakarta")),
}


def test_render_password_reset_in_indonesian():
    message = render_message(
        key="password_reset", channel="email", language="id", context=RESET, recipient_name="Sri"
    )
    assert message.subject == "Atur ulang kata sandi Portal IKM Anda"
    assert message.body.splitlines()[0] == "Halo Sri,"
    assert "http://testserver/accounts/password/reset/MQ/abc-123/" in message.body
    assert "Jika Anda tidak memintanya, abaikan pesan ini" in message.body
    assert 'href="http://testserver/accounts/password/reset/MQ/abc-123/"' in message.body_html
    assert 'lang="id"' in message.body_html


def test_render_password_reset_in_english():
    message = render_message(
        key="password_reset", channel="email", language="en", context=RESET, recipient_name="Sri"
    )
    assert message.subject == "Reset your IKM Portal password"
    assert message.body.splitlines()[0] == "Hello Sri,"
    assert "If you did not ask for this, ignore this message" in message.body
    assert 'lang="en"' in message.body_html


def test_render_in_app_uses_its_own_text_without_the_link():
    message = render_message(
        key="password_reset", channel="in_app", language="id", context=RESET, recipient_name="Sri"
    )
    assert "abc-123" not in message.body
    assert "29 November 2026, 14.30 WIB" in message.body
    assert message.body_html == ""


def test_render_text_is_not_html_escaped():
    message = render_message(
        key="staff_digest",
        channel="email",
        language="id",
        context={
            "date": date(2026, 11, 29),
            "total": 3,
            "items": [{"label": "Tempe & Keripik <Sanan>", "count": 3, "url": "/registry/"}],
        },
        recipient_name="O'Brien",
    )
    assert "Halo O'Brien," in message.body
    assert "- Tempe & Keripik <Sanan>: 3" in message.body
    # …while the HTML alternative is escaped.
    assert "Tempe &amp; Keripik &lt;Sanan&gt;" in message.body_html


def test_render_staff_digest_subject_counts_and_dates_in_both_languages():
    context = {"date": date(2026, 11, 29), "total": 1500, "items": []}
    id_subject = render_message(
        key="staff_digest", channel="email", language="id", context=context
    ).subject
    en_subject = render_message(
        key="staff_digest", channel="email", language="en", context=context
    ).subject
    assert id_subject == "1500 hal menunggu dinas – 29 November 2026"
    assert en_subject == "1500 items wait for the office – 29 November 2026"


def test_queue_renders_in_the_recipients_language():
    indonesian = UserFactory(language="id", full_name="Budi Santoso")
    english = UserFactory(language="en", full_name="Jane Doe")
    id_row = notification_queue(
        recipient=indonesian,
        template="password_reset",
        context=RESET,
        channels=["email"],
        key="reset:id",
    )[0]
    en_row = notification_queue(
        recipient=english, template="password_reset", context=RESET, channels=["email"], key="x"
    )[0]
    assert (id_row.language, id_row.subject) == ("id", "Atur ulang kata sandi Portal IKM Anda")
    assert (en_row.language, en_row.subject) == ("en", "Reset your IKM Portal password")
    assert id_row.body.startswith("Halo Budi Santoso,")
    assert en_row.body.startswith("Hello Jane Doe,")
