import factory
from django.utils import timezone

from ikm_portal.notifications.choices import Channel, Status
from ikm_portal.notifications.models import Notification, NotificationPreference

from .accounts import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    """An outbox row as notification_queue writes it (e-mail, queued) without rendering.

    `NotificationFactory(inbox=True)` is a delivered in-app message for its recipient."""

    class Meta:
        model = Notification

    class Params:
        inbox = factory.Trait(
            channel=Channel.IN_APP,
            address="",
            status=Status.SENT,
            sent_at=factory.LazyFunction(timezone.now),
        )

    recipient = factory.SubFactory(UserFactory)
    address = factory.LazyAttribute(lambda o: o.recipient.email if o.recipient else "")
    channel = Channel.EMAIL
    template = "staff_digest"
    language = "id"
    context = factory.LazyFunction(dict)
    subject = factory.Sequence(lambda n: f"Pesan {n}")
    body = "Isi pesan."
    status = Status.QUEUED
    key = factory.Sequence(lambda n: f"test:{n}")


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    email = True
    whatsapp = False
    sms = False
