"""Telling owners about the office's decisions (through the notifications outbox)."""


def notify_owner_of_decision(*, enterprise_id: int, status: str) -> None:
    """Queue the owner's notification of a decision; wired to the outbox once it is merged."""
    return None
