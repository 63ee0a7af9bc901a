"""Re-encrypt personal data under the current key, and recompute keyed hashes.

    # 1. put the new key first:  FIELD_ENCRYPTION_KEYS=new,old
    manage.py rotate_encryption_keys            # re-encrypt every encrypted column
    # 2. drop the old key:       FIELD_ENCRYPTION_KEYS=new

    # a new PERSONAL_DATA_HASH_KEY: recompute the hashes (exact NIK search is off meanwhile)
    manage.py rotate_encryption_keys --rehash

Every EncryptedTextField of every installed model is covered, in batches, each batch in its
own transaction; running it twice does no harm (docs/security.md)."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from ikm_portal.core.crypto import InvalidToken, decrypt_text, keyed_hash, rotate_token
from ikm_portal.core.fields import EncryptedTextField, KeyedHashField


class Command(BaseCommand):
    help = "Re-encrypt encrypted columns under the first FIELD_ENCRYPTION_KEYS key; --rehash too."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000)
        parser.add_argument(
            "--rehash", action="store_true", help="recompute keyed hashes (new hash key)"
        )

    def handle(self, *args, batch, rehash, **options):
        for model in apps.get_models():
            fields = model._meta.concrete_fields
            encrypted = [f for f in fields if isinstance(f, EncryptedTextField)]
            if not encrypted:
                continue
            hashes = {f.source: f for f in fields if isinstance(f, KeyedHashField)}
            done, unreadable = self._rotate(model, encrypted, hashes if rehash else {}, batch)
            self.stdout.write(
                f"{model._meta.label}: {done} rows re-encrypted"
                + (" and re-hashed" if rehash else "")
                + (f"; {unreadable} values under no configured key" if unreadable else "")
            )

    def _rotate(self, model, encrypted, hashes, batch) -> tuple[int, int]:
        qn = connection.ops.quote_name
        table, pk_col = qn(model._meta.db_table), qn(model._meta.pk.column)
        columns = ", ".join(qn(f.column) for f in encrypted)
        done = unreadable = 0
        last = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"WHERE {pk_col} > %s " if last is not None else ""
                cursor.execute(  # identifiers from model meta, quoted; values bound
                    f"SELECT {pk_col}, {columns} FROM {table} {where}ORDER BY {pk_col} LIMIT %s",  # noqa: S608
                    ([last] if last is not None else []) + [batch],
                )
                rows = cursor.fetchall()
                if not rows:
                    return done, unreadable
                last = rows[-1][0]
                for pk, *tokens in rows:
                    sets: dict[str, str] = {}
                    for field, token in zip(encrypted, tokens, strict=True):
                        if not token:
                            continue
                        try:
                            sets[field.column] = rotate_token(token)
                        except InvalidToken:
                            unreadable += 1
                            continue
                        if field.name in hashes:
                            plain = decrypt_text(sets[field.column])
                            sets[hashes[field.name].column] = keyed_hash(plain)
                    if sets:
                        cursor.execute(
                            f"UPDATE {table} SET "  # noqa: S608
                            + ", ".join(f"{qn(c)} = %s" for c in sets)
                            + f" WHERE {pk_col} = %s",
                            [*sets.values(), pk],
                        )
                        done += 1
