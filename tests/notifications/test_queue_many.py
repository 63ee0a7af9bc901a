"""notification_queue_many: many events in a constant number of queries, with the rows
notification_queue writes one event at a time; many rows handed to the workers as batches."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ikm_portal.notifications import services, tasks
from ikm_portal.notifications.models import Notification, NotificationPreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    "recipient_id",
    "address",
    "channel",
    "template",
    "language",
    "context",
    "subject",
    "body",
    "body_html",
    "status",
    "last_error",
    "content_type_id",
    "object_id",
    "key",
]


def _events(users, *, suffix="a"):
    """A mix: mandatory and optional templates, an undeclared key, a user who turned e-mail
    off, an inactive user, a bare address, WhatsApp asked for."""
    events = []
    for i, user in enumerate(users):
        events.append(
            {
                "recipient": user,
                "template": "application_in_review" if i % 2 else "application_selected",
                "context": {"program_title": f"Program {i}", "url": f"/p/{i}/"},
                "channels": ["email", "in_app", "whatsapp"],
                "related": user,
                "key": f"test:{suffix}:{i}",
            }
        )
    events.append(
        {
            "recipient": "tamu@example.id",
            "template": "application_selected",
            "context": {"program_title": "Tamu"},
            "channels": ["email"],
            "key": f"test:{suffix}:bare",
        }
    )
    events.append(
        {
            "recipient": users[0],
            "template": "no_such_template",
            "context": {},
            "channels": ["in_app"],
            "key": f"test:{suffix}:unknown",
        }
    )
    return events


def _people(n):
    users = [UserFactory(language="en" if i % 3 == 0 else "id") for i in range(n)]
    NotificationPreference.objects.create(user=users[1], email=False, whatsapp=True)
    users[2].is_active = False
    users[2].save(update_fields=["is_active"])
    return users


def _snapshot(keys=None):
    rows = Notification.objects.order_by("key")
    if keys is not None:
        rows = rows.filter(key__in=keys)
    return [tuple(json.dumps(getattr(r, f), sort_keys=True) for f in FIELDS) for r in rows]


def test_queue_many_writes_the_rows_of_one_event_at_a_time(django_capture_on_commit_callbacks):
    users = _people(6)
    events = _events(users)
    # One at a time (the reference), then the same events again in one batch under new keys.
    with django_capture_on_commit_callbacks(execute=False) as one_by_one:
        expected = [services.notification_queue(**e) for e in events]
    reference = _snapshot()
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as batch:
        got = services.notification_queue_many(messages=events)
    assert _snapshot() == reference
    assert [[r.key for r in rows] for rows in got] == [[r.key for r in rows] for rows in expected]
    assert got[2] == []  # the inactive user
    # One hand-over to the workers after commit, for every row that waits for delivery.
    assert len(batch) == 1
    sending = [
        any(r.channel == "email" and r.status == "queued" for r in rows) for rows in expected
    ]
    assert len(one_by_one) == sum(sending)


def test_queue_many_same_event_twice_and_events_already_written_yield_one_row_each(
    django_capture_on_commit_callbacks,
):
    (user,) = [UserFactory()]
    event = {
        "recipient": user,
        "template": "application_selected",
        "context": {"program_title": "Program"},
        "channels": ["email", "in_app"],
        "key": "test:twice",
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_queue_many(messages=[event, event])
    assert Notification.objects.filter(key__startswith="test:twice").count() == 2
    email = Notification.objects.get(key="test:twice:email")
    assert email.status == "sent"
    with django_capture_on_commit_callbacks(execute=True) as again:
        rows = services.notification_queue_many(messages=[event])
    assert [r.key for r in rows[0]] == ["test:twice:email", "test:twice:in_app"]
    assert again == []  # nothing new to send
    assert Notification.objects.get(key="test:twice:email").attempts == 1


def test_queue_many_bad_event_raises_before_writing_anything():
    user = UserFactory()
    good = {
        "recipient": user,
        "template": "application_selected",
        "context": {},
        "channels": ["email"],
        "key": "test:good",
    }
    with pytest.raises(ValueError):
        services.notification_queue_many(messages=[good, {**good, "key": ""}])
    with pytest.raises(ValueError):
        services.notification_queue_many(messages=[good, {**good, "recipient": "+62 12"}])
    assert not Notification.objects.exists()


def test_queue_many_queries_do_not_grow_with_the_events(django_capture_on_commit_callbacks):
    def count(n, suffix):
        events = _events(_people(n), suffix=suffix)
        with (
            django_capture_on_commit_callbacks(execute=False),
            CaptureQueriesContext(connection) as queries,
        ):
            services.notification_queue_many(messages=events)
        return len(queries)

    assert count(5, "five") == count(12, "twelve")


def test_queue_many_with_nothing_to_do_runs_no_query():
    inactive = UserFactory(is_active=False)
    with CaptureQueriesContext(connection) as queries:
        assert services.notification_queue_many(
            messages=[
                {
                    "recipient": inactive,
                    "template": "application_selected",
                    "context": {},
                    "channels": ["email"],
                    "key": "test:inactive",
                }
            ]
        ) == [[]]
    assert len(queries) == 0


def test_deliver_many_task_run_twice_sends_each_row_once(django_capture_on_commit_callbacks):
    from django.core import mail

    users = [UserFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False):
        rows = services.notification_queue_many(
            messages=[
                {
                    "recipient": u,
                    "template": "application_selected",
                    "context": {"program_title": "P"},
                    "channels": ["email"],
                    "key": f"test:many:{u.pk}",
                }
                for u in users
            ]
        )
    ids = [r.pk for event in rows for r in event if r.channel == "email"]
    assert tasks.deliver_many.apply(args=[ids]).get() == {"sent": 3}
    assert tasks.deliver_many.apply(args=[ids]).get() == {"skipped": 3}
    assert len(mail.outbox) == 3
    assert set(Notification.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}


def test_deliver_many_one_failing_row_does_not_stop_the_others(monkeypatch):
    calls = []

    def deliver(*, notification_id):
        calls.append(notification_id)
        if notification_id == 2:
            raise RuntimeError("database went away")
        return "sent"

    monkeypatch.setattr(services, "notification_deliver", deliver)
    assert services.notification_deliver_many(notification_ids=[1, 2, 3]) == {
        "sent": 2,
        "error": 1,
    }
    assert calls == [1, 2, 3]


@pytest.mark.redis
def test_enqueue_hands_many_rows_over_in_batches_and_one_row_alone(broker, settings):
    import base64

    import redis

    settings.NOTIFICATIONS_TASK_BATCH = 100
    broker.use(broker.real_url)
    client = redis.Redis.from_url(broker.real_url)
    try:
        assert services.notification_enqueue(notification_ids=list(range(1, 251))) == 250
        assert services.notification_enqueue(notification_ids=[7]) == 1
        messages = [json.loads(m) for m in client.lrange(broker.queue, 0, -1)]
        # Redis lists are pushed on the left: the oldest message is last.
        published = [
            (m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0])
            for m in reversed(messages)
        ]
    finally:
        client.delete(broker.queue)
    assert published == [
        ("notifications.deliver_many", [list(range(1, 101))]),
        ("notifications.deliver_many", [list(range(101, 201))]),
        ("notifications.deliver_many", [list(range(201, 251))]),
        ("notifications.deliver", [7]),
    ]
