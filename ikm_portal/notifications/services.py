"""The outbox: write rows in the caller's transaction, deliver after commit.

Other apps call one function::

    from ikm_portal.notifications.services import notification_queue

    notification_queue(
        recipient=application.owner,          # a User, an e-mail/phone string, or Recipient(...)
        template="application_selected",      # declared in the catalogue (see catalog.py)
        context={"program": program.name, "url": application.get_absolute_url()},
        channels=["email", "in_app", "whatsapp"],
        related=application,                  # any model instance, kept generically
        key=f"application:{application.pk}:stage1:selected",
    )

One row per channel is written with the key ``<key>:<channel>`` (unique), so queueing the same
event twice yields one message. Delivery is enqueued with ``transaction.on_commit``: nothing is
sent for a transaction that rolls back, and a broker outage leaves the rows queued for the sweep.
"""

import json
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F
from django.template import TemplateDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.exceptions import ApplicationError, InvalidTransition
from ikm_portal.core.services import activity_log
from ikm_portal.core.validators import normalize_phone

from . import catalog
from .channels import DeliveryError, enabled_channels, get_channel
from .choices import PHONE_CHANNELS, Channel, Status, can_transition
from .models import Notification, NotificationPreference
from .rendering import RenderedMessage, render_message

logger = logging.getLogger(__name__)

CHANNEL_ORDER = [Channel.EMAIL, Channel.IN_APP, Channel.WHATSAPP, Channel.SMS]
MANDATORY_CHANNELS = {Channel.EMAIL, Channel.IN_APP}
ERROR_MAX = 2000


@dataclass(frozen=True)
class Recipient:
    """A person without an account: an e-mail address and/or a mobile number."""

    email: str = ""
    phone: str = ""
    name: str = ""
    language: str = ""


@dataclass(frozen=True)
class _Target:
    user: object | None
    email: str
    phone: str
    name: str
    language: str


def _setting(name: str, default):
    return getattr(settings, name, default)


def _resolve_recipient(recipient) -> _Target:
    from django.contrib.auth import get_user_model

    if isinstance(recipient, get_user_model()):
        return _Target(
            user=recipient,
            email=recipient.email or "",
            phone=recipient.phone or "",
            name=recipient.get_full_name() or "",
            language=recipient.language or "",
        )
    if isinstance(recipient, str):
        value = recipient.strip()
        recipient = Recipient(email=value) if "@" in value else Recipient(phone=value)
    if not isinstance(recipient, Recipient):
        raise TypeError(
            "recipient must be a User, an e-mail address or phone number, or a Recipient."
        )
    email = recipient.email.strip().lower()
    phone = recipient.phone.strip()
    try:
        if email:
            validate_email(email)
        if phone:
            phone = normalize_phone(phone)
    except ValidationError as exc:
        raise ValueError(f"Invalid recipient address: {exc.messages[0]}") from exc
    if not email and not phone:
        raise ValueError("A recipient without an account needs an e-mail address or a phone.")
    return _Target(
        user=None, email=email, phone=phone, name=recipient.name, language=recipient.language
    )


def notification_preference_get(*, user) -> NotificationPreference:
    """The user's saved preference, or the defaults (e-mail on, WhatsApp/SMS off) unsaved."""
    if user.pk is None:
        return NotificationPreference(user=user)
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref if pref is not None else NotificationPreference(user=user)


def _channels_for(
    target: _Target, requested: set[str], mandatory: bool, pref: NotificationPreference | None
) -> list[str]:
    wanted = set(requested)
    if mandatory:
        wanted |= MANDATORY_CHANNELS
    chosen = []
    for channel in CHANNEL_ORDER:
        if channel not in wanted:
            continue
        if channel == Channel.EMAIL and not target.email:
            continue
        if channel in PHONE_CHANNELS and not target.phone:
            continue
        if channel == Channel.IN_APP and target.user is None:
            continue
        forced = mandatory and channel in MANDATORY_CHANNELS
        if pref is not None and not forced and not pref.allows(channel):
            continue
        chosen.append(channel)
    return chosen


def _needs_preference(target: _Target, requested: set[str], mandatory: bool) -> bool:
    """Whether the user's saved choices can change the channels of this event (a mandatory
    template on its mandatory channels goes whatever they chose)."""
    if target.user is None:
        return False
    return not mandatory or bool(requested - MANDATORY_CHANNELS)


def _preferences_of(users) -> dict[int, NotificationPreference]:
    """The saved preferences of these users in one query (the unsaved defaults for the rest)."""
    saved_ids = {user.pk for user in users if user.pk is not None}
    found = {
        pref.user_id: pref
        for chunk in _chunks(sorted(saved_ids))
        for pref in NotificationPreference.objects.filter(user_id__in=chunk)
    }
    return {id(user): found.get(user.pk) or NotificationPreference(user=user) for user in users}


def _chunks(values: list) -> list[list]:
    """``values`` in pieces small enough for one ``IN (…)`` of this database (SQLite limits the
    parameters of a statement; PostgreSQL takes them all at once)."""
    size = connection.features.max_query_params or len(values) or 1
    return [values[i : i + size] for i in range(0, len(values), size)]


def _address(target: _Target, channel: str) -> str:
    if channel == Channel.EMAIL:
        return target.email
    if channel in PHONE_CHANNELS:
        return target.phone
    return ""


def notification_queue(
    *,
    recipient,
    template: str,
    context: dict,
    channels,
    related=None,
    key: str,
    language: str | None = None,
) -> list[Notification]:
    """Write one outbox row per channel that applies and deliver them after commit.

    - ``recipient``: a User (their language, addresses and channel choices apply), an e-mail
      address or mobile number string, or a ``Recipient`` for a person without an account.
    - ``channels``: the channels wanted for this event; the user's preferences filter them,
      except that a *mandatory* template always goes by e-mail (when there is an address) and
      in-app. WhatsApp/SMS need a phone number, in-app needs an account.
    - ``context``: JSON-serialisable values for the templates; ``context["url"]`` (a path on
      this site) becomes the link of the message.
    - ``key``: the event's idempotency key; each row's key is ``<key>:<channel>``.

    Returns the rows for this event (including rows an earlier call already wrote). Inactive
    users get nothing."""
    (rows,) = notification_queue_many(
        messages=[
            {
                "recipient": recipient,
                "template": template,
                "context": context,
                "channels": channels,
                "related": related,
                "key": key,
                "language": language,
            }
        ]
    )
    return rows


@dataclass
class _Event:
    spec: catalog.NotificationTemplate
    problem: str
    target: _Target
    requested: set[str]
    context: dict
    related: object | None
    key: str
    language: str | None
    chosen: list[str] = field(default_factory=list)


def _event_of(
    *,
    recipient,
    template: str,
    context: dict,
    channels,
    related=None,
    key: str,
    language: str | None = None,
) -> _Event | None:
    """One event checked as ``notification_queue`` checks it (None: an inactive user)."""
    spec = catalog.lookup(template)
    problem = ""
    if spec is None:
        # Not declared: never break the caller's transaction for it. The rows are written as
        # failed with the reason, so the delivery log, the dashboard and the digest show it.
        spec = catalog.NotificationTemplate(key=template)
        problem = (
            f"Unknown notification template {template!r}: declare it in an AppConfig's "
            "notification_templates (docs/notifications.md)."
        )
    requested = {Channel(c) for c in channels}
    if not key or len(key) > 200:
        raise ValueError("key must be a non-empty string of at most 200 characters.")
    target = _resolve_recipient(recipient)
    if target.user is not None and not target.user.is_active:
        return None
    return _Event(
        spec=spec,
        problem=problem,
        target=target,
        requested=requested,
        context=context or {},
        related=related,
        key=key,
        language=language,
    )


def notification_queue_many(*, messages: Iterable[dict]) -> list[list[Notification]]:
    """``notification_queue`` for many events at once, with the same rows, keys, channels and
    delivery, in a constant number of queries: one for the users' channel choices (when they
    matter), one for the keys already written, one insert, one read of the rows, and one
    on-commit hand-over to the workers for all of them.

    ``messages``: the keyword arguments of ``notification_queue``, one dict per event. Every
    event is checked before anything is written (a bad key or address raises and writes
    nothing). Returns, for each event in order, its rows (as ``notification_queue`` does)."""
    events = [_event_of(**message) for message in messages]
    live = [event for event in events if event is not None]
    asking = [
        event.target.user
        for event in live
        if _needs_preference(event.target, event.requested, event.spec.mandatory)
    ]
    preferences = _preferences_of(asking) if asking else {}
    for event in live:
        pref = preferences.get(id(event.target.user)) if event.target.user is not None else None
        event.chosen = _channels_for(event.target, event.requested, event.spec.mandatory, pref)
    live = [event for event in live if event.chosen]
    if not live:
        return [[] for _ in events]
    all_keys = [f"{event.key}:{channel}" for event in live for channel in event.chosen]

    with transaction.atomic():
        existing = {
            key
            for chunk in _chunks(all_keys)
            for key in Notification.objects.filter(key__in=chunk).values_list("key", flat=True)
        }
        now = timezone.now()
        new_rows = []
        new_keys: set[str] = set()
        for event in live:
            target = event.target
            lang = event.language or target.language or settings.LANGUAGE_CODE
            stored_context = json.loads(json.dumps(event.context, cls=DjangoJSONEncoder))
            content_type, object_id = None, ""
            if event.related is not None:
                content_type = ContentType.objects.get_for_model(
                    event.related, for_concrete_model=False
                )
                object_id = str(event.related.pk)
            subject = None  # the same for every channel of the event: rendered once
            for channel_code in event.chosen:
                row_key = f"{event.key}:{channel_code}"
                if row_key in existing or row_key in new_keys:
                    continue  # written before, or earlier in this batch: one message per event
                channel = get_channel(channel_code)
                rendered, error = _render(
                    spec=event.spec,
                    problem=event.problem,
                    channel=channel_code,
                    language=lang,
                    context=event.context,
                    recipient_name=target.name,
                    subject=subject,
                )
                if not error:
                    subject = rendered.subject
                if error:
                    status, last_error = Status.FAILED, error
                elif channel.immediate:
                    status, last_error = Status.SENT, ""
                else:
                    status = Status.QUEUED
                    last_error = "" if channel.enabled() else channel.disabled_reason()
                new_keys.add(row_key)
                new_rows.append(
                    Notification(
                        recipient=target.user,
                        address=_address(target, channel_code),
                        channel=channel_code,
                        template=event.spec.key,
                        language=lang,
                        context=stored_context,
                        subject=rendered.subject,
                        body=rendered.body,
                        body_html=rendered.body_html,
                        status=status,
                        sent_at=now if status == Status.SENT else None,
                        last_error=last_error,
                        next_attempt_at=now,
                        content_type=content_type,
                        object_id=object_id,
                        key=row_key,
                    )
                )
        if new_rows:
            # A concurrent call with the same key inserts nothing here (the unique key wins);
            # enqueueing its row too is harmless: the task's claim sends it once.
            Notification.objects.bulk_create(new_rows, ignore_conflicts=True)
        by_key = {
            row.key: row
            for chunk in _chunks(all_keys)
            for row in Notification.objects.filter(key__in=chunk)
        }
        to_send = [
            by_key[key].pk
            for key in all_keys
            if key in new_keys
            and key in by_key
            and by_key[key].status == Status.QUEUED
            and get_channel(by_key[key].channel).enabled()
        ]
        if to_send:
            transaction.on_commit(lambda: notification_enqueue(notification_ids=to_send))
    order = {channel: i for i, channel in enumerate(CHANNEL_ORDER)}
    out = []
    for event in events:
        if event is None or not event.chosen:
            out.append([])
            continue
        rows = [by_key[f"{event.key}:{c}"] for c in event.chosen if f"{event.key}:{c}" in by_key]
        out.append(sorted(rows, key=lambda row: order[row.channel]))
    return out


def _render(
    *,
    spec,
    problem: str,
    channel: str,
    language: str,
    context: dict,
    recipient_name: str,
    subject: str | None = None,
) -> tuple[RenderedMessage, str]:
    """The rendered message, or an empty one and the reason it could not be rendered (an
    undeclared key, a missing template file): logged, and kept on the row as its error."""
    empty = RenderedMessage(subject=spec.key, body="")
    if problem:
        logger.error(problem)
        return empty, problem
    try:
        return render_message(
            key=spec.key,
            channel=channel,
            language=language,
            context=context,
            recipient_name=recipient_name,
            subject=subject,
        ), ""
    except TemplateDoesNotExist as exc:
        error = f"Template missing for {spec.key!r}: {exc}"
        logger.error(error)
        return empty, error


def _eager() -> bool:
    from ikm_portal.celery import app

    return bool(app.conf.task_always_eager)


def notification_enqueue(*, notification_ids: list[int], countdown: float | None = None) -> int:
    """Hand rows to the workers; returns how many were published (or delivered in process).

    With no broker (CELERY_BROKER_URL unset) delivery runs here, in process. With a broker, one
    row goes as one ``deliver`` task; more go as ``deliver_many`` tasks of up to
    NOTIFICATIONS_TASK_BATCH rows each (one publish per batch instead of per row: a
    thousand decisions are queued in a few milliseconds). Each row is still claimed on its own,
    so a task run twice sends nothing twice, and a row a lost task never reached stays queued
    for the sweep. A publish error (Redis down) is logged and the rows stay queued for the
    sweep: the request that queued them never fails or hangs because of the broker."""
    if not notification_ids:
        return 0
    if _eager():
        if countdown:
            return 0  # in process there is nobody to wait: the sweep retries it when due
        done = 0
        for notification_id in notification_ids:
            try:
                notification_deliver(notification_id=notification_id)
                done += 1
            except Exception:
                logger.exception("In-process delivery of notification %s failed", notification_id)
        return done

    from .tasks import deliver, deliver_many

    size = max(1, int(_setting("NOTIFICATIONS_TASK_BATCH", 100)))
    if len(notification_ids) == 1 or countdown:
        batches = [[notification_id] for notification_id in notification_ids]
    else:
        batches = [notification_ids[i : i + size] for i in range(0, len(notification_ids), size)]
    published = 0
    for batch in batches:
        try:
            if len(batch) == 1:
                deliver.apply_async(args=[batch[0]], countdown=countdown)
            else:
                deliver_many.apply_async(args=[batch])
        except Exception as exc:
            waiting = notification_ids[published:]
            logger.error(
                "Could not publish %d notification(s) to the broker (%s); they stay queued "
                "and the sweep will send them.",
                len(waiting),
                exc,
            )
            Notification.objects.filter(pk__in=waiting, status=Status.QUEUED).update(
                last_error=f"Could not reach the task broker ({exc}); the sweep will retry."[
                    :ERROR_MAX
                ]
            )
            return published
        published += len(batch)
    return published


def notification_deliver_many(*, notification_ids: list[int]) -> dict[str, int]:
    """``notification_deliver`` for each row in turn (the ``deliver_many`` task): how many
    ended sent, retry, failed, disabled or skipped. One row's unexpected error does not stop the
    others; the row stays as it was (queued or sending) for the sweep."""
    outcomes: dict[str, int] = {}
    for notification_id in notification_ids:
        try:
            outcome = notification_deliver(notification_id=notification_id)
        except SoftTimeLimitExceeded:
            raise  # the task's time is up: the rows not reached stay queued for the sweep
        except Exception:
            logger.exception("Delivery of notification %s failed", notification_id)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def retry_delay(attempt: int) -> float:
    """Exponential backoff with jitter: base·2^(attempt-1), capped, then scaled by 0.5 to 1."""
    base = float(_setting("NOTIFICATIONS_RETRY_BASE", 30))
    cap = float(_setting("NOTIFICATIONS_RETRY_MAX", 3600))
    delay = min(cap, base * (2 ** max(0, attempt - 1)))
    return delay * random.uniform(0.5, 1.0)


def notification_deliver(*, notification_id: int) -> str:
    """Claim one queued row (queued → sending, a conditional UPDATE), send it, record the outcome.

    Returns "sent", "retry", "failed", "disabled" or "skipped" (not queued: another run has it,
    it was sent or cancelled). Running it twice sends once."""
    row = Notification.objects.filter(pk=notification_id).first()
    if row is None or row.status != Status.QUEUED:
        return "skipped"
    channel = get_channel(row.channel)
    if not channel.enabled():
        reason = channel.disabled_reason()
        Notification.objects.filter(pk=row.pk, status=Status.QUEUED).exclude(
            last_error=reason
        ).update(last_error=reason)
        return "disabled"
    now = timezone.now()
    claimed = Notification.objects.filter(pk=row.pk, status=Status.QUEUED).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
    )
    if not claimed:
        return "skipped"
    row.refresh_from_db()
    mine = Notification.objects.filter(pk=row.pk, status=Status.SENDING)
    try:
        external_id = channel.send(row)
    except (DeliveryError, SoftTimeLimitExceeded) as exc:
        transient = getattr(exc, "transient", True)
        error = str(exc) or exc.__class__.__name__
        if isinstance(exc, SoftTimeLimitExceeded):
            error = "The delivery took longer than the task time limit."
    except Exception as exc:  # a bug, not the network: fail it so staff see it and can resend
        logger.exception("Notification %s could not be sent", row.pk)
        transient, error = False, f"Unexpected error: {exc!r}"
    else:
        mine.update(
            status=Status.SENT,
            sent_at=timezone.now(),
            last_error="",
            external_id=external_id or "",
            claimed_at=None,
            updated_at=timezone.now(),
        )
        return "sent"

    max_attempts = int(_setting("NOTIFICATIONS_MAX_ATTEMPTS", 6))
    if transient and row.attempts < max_attempts:
        delay = retry_delay(row.attempts)
        mine.update(
            status=Status.QUEUED,
            last_error=error[:ERROR_MAX],
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            claimed_at=None,
            updated_at=timezone.now(),
        )
        logger.warning(
            "Notification %s: transient error (attempt %d), retry in %.0f s: %s",
            row.pk,
            row.attempts,
            delay,
            error,
        )
        notification_enqueue(notification_ids=[row.pk], countdown=delay)
        return "retry"
    if transient:
        error = f"Gave up after {row.attempts} attempts: {error}"
    mine.update(status=Status.FAILED, last_error=error[:ERROR_MAX], claimed_at=None, updated_at=now)
    logger.warning("Notification %s failed: %s", row.pk, error)
    return "failed"


def notification_sweep(*, now=None) -> dict[str, int]:
    """Re-enqueue what the broker lost: rows still queued a few minutes after they were due
    (broker outage, lost publish) and rows stuck in sending past the task time limit (a worker
    died mid-send; such a row may be sent twice — at least once beats never)."""
    now = now or timezone.now()
    grace = timedelta(seconds=int(_setting("NOTIFICATIONS_SWEEP_AFTER", 120)))
    stuck_after = timedelta(seconds=int(_setting("CELERY_TASK_TIME_LIMIT", 180)) + 60)
    limit = int(_setting("NOTIFICATIONS_SWEEP_BATCH", 500))
    active = enabled_channels()

    stuck_ids = list(
        Notification.objects.filter(
            status=Status.SENDING, claimed_at__lt=now - stuck_after
        ).values_list("pk", flat=True)[:limit]
    )
    unstuck = 0
    if stuck_ids:
        unstuck = Notification.objects.filter(
            pk__in=stuck_ids, status=Status.SENDING, claimed_at__lt=now - stuck_after
        ).update(
            status=Status.QUEUED,
            claimed_at=None,
            next_attempt_at=now - grace,
            last_error="Stuck in sending past the time limit; sent again.",
            updated_at=now,
        )
    due_ids = list(
        Notification.objects.filter(
            status=Status.QUEUED, next_attempt_at__lte=now - grace, channel__in=active
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if due_ids:
        # Due again only after another grace period: a backlog is not published every minute.
        Notification.objects.filter(pk__in=due_ids, status=Status.QUEUED).update(
            next_attempt_at=now
        )
    published = notification_enqueue(notification_ids=due_ids)
    if due_ids or unstuck:
        logger.info(
            "Notification sweep: %d due, %d unstuck, %d enqueued", len(due_ids), unstuck, published
        )
    return {"due": len(due_ids), "unstuck": unstuck, "enqueued": published}


# --- Office staff: resend a failed message, cancel a queued one (the state machine) ---


def notification_transition(
    *, notification: Notification, to_status: str, actor=None, reason: str = ""
) -> Notification:
    """The one way staff change a row's status: lock, no-op if there, check the table, save,
    log, and enqueue after commit when it goes back to queued."""
    with transaction.atomic():
        row = Notification.objects.select_for_update().get(pk=notification.pk)
        if row.status == to_status:
            return row
        if not can_transition(row.status, to_status):
            raise InvalidTransition(
                _("A message that is %(from)s cannot become %(to)s.")
                % {"from": Status(row.status).label, "to": Status(to_status).label}
            )
        from_status = row.status
        row.status = to_status
        fields = ["status", "updated_at"]
        if to_status == Status.QUEUED:
            row.attempts = 0
            row.next_attempt_at = timezone.now()
            row.claimed_at = None
            fields += ["attempts", "next_attempt_at", "claimed_at"]
        row.save(update_fields=fields)
        activity_log(
            target=row,
            action=f"notification.{to_status}",
            actor=actor,
            from_state=from_status,
            to_state=to_status,
            reason=reason,
        )
        if to_status == Status.QUEUED and get_channel(row.channel).enabled():
            pk = row.pk
            transaction.on_commit(lambda: notification_enqueue(notification_ids=[pk]))
    return row


def notification_resend(*, notification: Notification, actor=None) -> Notification:
    """Send a failed message again (failed → queued). A message that could not be rendered
    (undeclared key, missing template) is rendered now from its stored context."""
    if notification.status not in (Status.FAILED, Status.QUEUED):
        raise InvalidTransition(_("Only a failed message can be sent again."))
    if notification.status == Status.FAILED and not notification.body:
        _rerender(notification)
    return notification_transition(
        notification=notification, to_status=Status.QUEUED, actor=actor, reason="resend"
    )


def _rerender(notification: Notification) -> None:
    spec = catalog.lookup(notification.template)
    if spec is None:
        raise ApplicationError(_("The template of this message is still not declared."))
    recipient = notification.recipient
    try:
        rendered = render_message(
            key=spec.key,
            channel=notification.channel,
            language=notification.language,
            context=notification.context or {},
            recipient_name=recipient.get_full_name() if recipient is not None else "",
        )
    except Exception as exc:
        logger.warning("Notification %s still cannot be rendered: %r", notification.pk, exc)
        raise ApplicationError(_("The template of this message still cannot be used.")) from exc
    notification.subject = rendered.subject
    notification.body = rendered.body
    notification.body_html = rendered.body_html
    notification.save(update_fields=["subject", "body", "body_html", "updated_at"])


def notification_cancel(*, notification: Notification, actor=None) -> Notification:
    """Stop a queued message (queued → cancelled)."""
    return notification_transition(
        notification=notification, to_status=Status.CANCELLED, actor=actor, reason="cancel"
    )


# --- The inbox ---


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, user) -> int:
    from .permissions import inbox_visible_to

    return inbox_visible_to(user).filter(read_at__isnull=True).update(read_at=timezone.now())


def notification_preferences_update(
    *, user, email: bool, whatsapp: bool, sms: bool
) -> NotificationPreference:
    pref, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": email, "whatsapp": whatsapp, "sms": sms}
    )
    return pref


def staff_digest_send(*, today: date | None = None) -> int:
    """Send the daily digest; see digest.py."""
    from .digest import staff_digest_send as send

    return send(today=today)
