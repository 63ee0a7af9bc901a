"""Signals other apps may listen to (the registry knows nothing of them).

``enterprise_merged(sender=Enterprise, keep, drop, actor)`` is sent inside the merge transaction,
after the records of other apps that point at ``drop`` were moved to ``keep``."""

from django.dispatch import Signal

enterprise_merged = Signal()
