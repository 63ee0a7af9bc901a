"""Field-level encryption of personal data at rest, and keyed hashes for exact lookup.

- ``encrypt_text`` / ``decrypt_text``: Fernet (AES-128-CBC + HMAC-SHA256, random IV) through
  ``MultiFernet`` over ``settings.FIELD_ENCRYPTION_KEYS``. The first key encrypts; every key
  decrypts, so a key is rotated by putting a new one first and running
  ``manage.py rotate_encryption_keys`` (docs/security.md).
- ``keyed_hash``: HMAC-SHA256 under ``settings.PERSONAL_DATA_HASH_KEY``, hex. Equal inputs give
  equal hashes, so the hash column serves exact search and uniqueness without the value; without
  the key the 16-digit NIK space cannot be enumerated.

Keys come from the environment. When they are not set (local development and tests only; the
production settings refuse to start without them) they are derived from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts with version byte 0x80 + timestamp


def derived_key(secret: str, purpose: str) -> str:
    """A urlsafe-base64 32-byte key derived from `secret` for one purpose (development only)."""
    digest = hashlib.sha256(f"ikm-portal:{purpose}:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold urlsafe-base64 32-byte keys "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')."
        ) from exc


def _keys() -> tuple[str, ...]:
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


def encrypt_text(value: str) -> str:
    """The Fernet token (ASCII) of `value` under the current key."""
    return _fernet(_keys()).encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    """The plain text of a token made under any configured key. Raises ``InvalidToken``."""
    return _fernet(_keys()).decrypt(token.encode()).decode()


def rotate_token(token: str) -> str:
    """The same value re-encrypted under the current (first) key."""
    return _fernet(_keys()).rotate(token.encode()).decode()


def keyed_hash(value: str) -> str:
    """Hex HMAC-SHA256 of `value`; the empty string stays empty (no value, no hash)."""
    if not value:
        return ""
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


__all__ = [
    "TOKEN_PREFIX",
    "InvalidToken",
    "decrypt_text",
    "derived_key",
    "encrypt_text",
    "keyed_hash",
    "rotate_token",
]
