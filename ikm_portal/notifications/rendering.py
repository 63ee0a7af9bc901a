"""Render a message from ``templates/notifications/<key>/`` in the recipient's language."""

import functools
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import TemplateDoesNotExist
from django.template import loader as html_loader
from django.template.backends.django import DjangoTemplates
from django.utils import translation

from .choices import PHONE_CHANNELS, Channel

SUBJECT_MAX = 255
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str
    body_html: str = ""


@functools.cache
def _text_engine() -> DjangoTemplates:
    """The project's template settings with autoescaping off: text messages are not HTML, and
    "Tempe & Keripik" must not arrive as "Tempe &amp; Keripik"."""
    conf = settings.TEMPLATES[0]
    options = {k: v for k, v in conf.get("OPTIONS", {}).items() if k != "context_processors"}
    options["autoescape"] = False
    return DjangoTemplates(
        {
            "NAME": "notifications_text",
            "DIRS": conf.get("DIRS", []),
            "APP_DIRS": conf.get("APP_DIRS", False),
            "OPTIONS": options,
        }
    )


@receiver(setting_changed)
def _reset_text_engine(*, setting, **kwargs):
    if setting == "TEMPLATES":
        _text_engine.cache_clear()


def _body_names(key: str, channel: str) -> list[str]:
    base = f"notifications/{key}/"
    if channel == Channel.IN_APP:
        return [base + "in_app.txt", base + "body.txt"]
    if channel in PHONE_CHANNELS:
        return [base + "short.txt", base + "body.txt"]
    return [base + "body.txt"]


def _select(engine: DjangoTemplates, names: list[str]):
    for name in names[:-1]:
        try:
            return engine.get_template(name)
        except TemplateDoesNotExist:
            continue
    return engine.get_template(names[-1])


def base_context(*, recipient_name: str = "") -> dict:
    return {
        "recipient_name": recipient_name,
        "site_url": settings.SITE_URL.rstrip("/"),
        "office_name": settings.OFFICE_NAME,
        "office_short_name": settings.OFFICE_SHORT_NAME,
        "office_email": settings.OFFICE_EMAIL,
        "office_phone": settings.OFFICE_PHONE,
    }


def render_message(
    *,
    key: str,
    channel: str,
    language: str,
    context: dict,
    recipient_name: str = "",
    subject: str | None = None,
) -> RenderedMessage:
    """Subject and body (and the HTML alternative for e-mail) in ``language``.

    ``context["url"]``, when it is a path on this site, is also offered as ``absolute_url``.
    ``subject``: the subject already rendered for another channel of the same event (it does
    not depend on the channel). Raises TemplateDoesNotExist when the key has no subject.txt or
    body.txt."""
    ctx = {**base_context(recipient_name=recipient_name), **context}
    url = context.get("url")
    if isinstance(url, str) and url.startswith("/"):
        ctx.setdefault("absolute_url", ctx["site_url"] + url)
    engine = _text_engine()
    with translation.override(language):
        if subject is None:
            subject = engine.get_template(f"notifications/{key}/subject.txt").render(ctx)
            subject = " ".join(subject.split())[:SUBJECT_MAX]
        body = _select(engine, _body_names(key, channel)).render(ctx)
        # Template tags on their own lines leave runs of blank lines behind.
        body = _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in body.splitlines()))
        body = body.strip()
        body_html = ""
        if channel == Channel.EMAIL:
            try:
                html = html_loader.get_template(f"notifications/{key}/body.html")
            except TemplateDoesNotExist:
                pass
            else:
                body_html = html.render(ctx)
    return RenderedMessage(subject=subject, body=body, body_html=body_html)
