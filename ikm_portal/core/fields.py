"""Model fields for personal data at rest (docs/security.md)."""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from .crypto import InvalidToken, decrypt_text, encrypt_text, keyed_hash


class EncryptedTextField(models.TextField):
    """Text encrypted in the database, plain in Python.

    Only saving encrypts (``get_db_prep_save``), so the lookups Django builds for the empty
    value (``owner_nik=""`` in a constraint condition, ``isnull``) keep working; a lookup by a
    real value cannot match a random-IV token, so it raises instead of silently finding nothing —
    search through the keyed hash column beside the field."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return decrypt_text(value)
        except InvalidToken:
            # Not a token under any configured key: a value written before encryption (the
            # migration encrypts those) or a lost key. Never show the raw column.
            return ""

    def get_db_prep_save(self, value, connection):
        value = super().get_db_prep_save(value, connection)
        if value in (None, ""):
            return value
        return encrypt_text(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name not in ("exact", "isnull"):
            raise FieldError(
                f"{self.name} is encrypted: search by its keyed hash, not by '{lookup_name}'."
            )
        return EmptyOnlyExact if lookup_name == "exact" else IsNull


class EmptyOnlyExact(Exact):
    def get_prep_lookup(self):
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise FieldError(
                "An encrypted field matches only the empty value: use its keyed hash column."
            )
        return super().get_prep_lookup()


class KeyedHashField(models.CharField):
    """HMAC of another field of the same model, recomputed whenever the row is saved."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if not self.db_index:  # the default here is indexed: say so when it is not
            kwargs["db_index"] = False
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if not self.source:
            errors.append(checks.Error("KeyedHashField needs source=", obj=self))
        return errors

    def pre_save(self, model_instance, add):
        value = keyed_hash(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
