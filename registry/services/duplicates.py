"""Duplicates: exact ones are refused, near ones are flagged to staff, never refused.

Refused: the same NIB on two active records, or the same NIK with the same business name. The
message gives the existing record's status and nothing of its owner.
Flagged: a similar name in the same kelurahan (trigram similarity with pg_trgm on PostgreSQL; on
SQLite the simpler comparison of similar_names), the same phone, the same NIK with another
business.
"""

import itertools
from fractions import Fraction

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ikm_portal.core.crypto import keyed_hash
from ikm_portal.core.exceptions import ApplicationError, Conflict
from ikm_portal.core.services import activity_log

from ..choices import (
    INACTIVE_STATUSES,
    DuplicateFlagStatus,
    DuplicateKind,
    EnterpriseStatus,
    HistorySource,
)
from ..errors import DuplicateRefused
from ..models import EDITABLE_FIELDS, DuplicateFlag, Enterprise
from .history import history_record

NAME_SIMILARITY_THRESHOLD = 0.6


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word padded with two spaces before and one after."""
    grams: set[str] = set()
    for word in text.split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def trigram_similarity(a: str, b: str) -> float:
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def _active(qs):
    return qs.exclude(status__in=sorted(INACTIVE_STATUSES))


def _compared(qs):
    """Records that near-duplicate checks look at: active and no longer drafts."""
    return _active(qs).exclude(status=EnterpriseStatus.DRAFT)


def exact_duplicate(
    *, nib: str, owner_nik: str, name_key: str, exclude_id: int | None = None
) -> tuple[str, Enterprise] | None:
    """("nib" | "nik_name", the existing record) or None."""
    qs = _active(Enterprise.objects.all())
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    if nib:
        found = qs.filter(nib=nib).only("id", "status").first()
        if found:
            return "nib", found
    if owner_nik and name_key:
        found = (
            qs.filter(owner_nik_hash=keyed_hash(owner_nik), name_key=name_key)
            .only("id", "status")
            .first()
        )
        if found:
            return "nik_name", found
    return None


def duplicate_message(kind: str, existing_status: str) -> tuple[str, str]:
    """(field, message) of a refusal: the existing record's status, none of its owner's data."""
    status = EnterpriseStatus(existing_status).label
    if kind == "nib":
        return "nib", _(
            "A business with this NIB is already registered (status: %(status)s). "
            "Contact the office if it is yours."
        ) % {"status": status}
    return "name", _(
        "The owner with this NIK already registered a business with this name (status: %(status)s)."
    ) % {"status": status}


def duplicates_check_exact(*, enterprise: Enterprise) -> None:
    """Raise DuplicateRefused (409) when an active record holds the same NIB, or the same NIK
    with the same name. Inactive records (rejected, archived) are not checked."""
    if enterprise.status in INACTIVE_STATUSES:
        return
    found = exact_duplicate(
        nib=enterprise.nib,
        owner_nik=enterprise.owner_nik,
        name_key=enterprise.name_key,
        exclude_id=enterprise.pk,
    )
    if found:
        kind, existing = found
        field, message = duplicate_message(kind, existing.status)
        raise DuplicateRefused(message, field_errors={field: [message]})


def word_prefixes(key: str) -> list[str]:
    """ "keripik tempe sanan" → ["keripik", "keripik tempe"] (proper prefixes, whole words)."""
    words = key.split()
    return [" ".join(words[:n]) for n in range(1, len(words))]


class NameIndex:
    """The simpler name comparison, in memory: the same name key, or one key is the other plus
    more words. Used on SQLite for batches (the import) and inside a file on every database."""

    def __init__(self):
        self.full: dict[str, list] = {}
        self.prefixes: dict[str, list] = {}

    def add(self, ref, key: str) -> None:
        if not key:
            return
        self.full.setdefault(key, []).append(ref)
        for prefix in word_prefixes(key):
            self.prefixes.setdefault(prefix, []).append(ref)

    def match(self, key: str) -> list:
        if not key:
            return []
        found = list(self.full.get(key, [])) + list(self.prefixes.get(key, []))
        for prefix in word_prefixes(key):
            found += self.full.get(prefix, [])
        return list(dict.fromkeys(found))


def similar_names(
    *, kelurahan_id: str | None, name_key: str, exclude_ids=(), limit: int = 10
) -> list[tuple[int, float]]:
    """[(id, similarity)] of active, non-draft records in the kelurahan with a similar name.

    PostgreSQL: trigram similarity ≥ NAME_SIMILARITY_THRESHOLD (pg_trgm's `%` operator finds
    the candidates through the GIN index). SQLite: the simpler comparison — the same name, or
    one name is the other plus more words ("Keripik Tempe Sanan" / "… Sanan Jaya")."""
    if not kelurahan_id or not name_key:
        return []
    qs = _compared(Enterprise.objects.filter(kelurahan_id=kelurahan_id)).exclude(
        pk__in=list(exclude_ids)
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.lookups import TrigramSimilar
        from django.contrib.postgres.search import TrigramSimilarity
        from django.db.models import F

        rows = (
            qs.filter(TrigramSimilar(F("name_key"), name_key))
            .annotate(similarity=TrigramSimilarity("name_key", name_key))
            .filter(similarity__gte=NAME_SIMILARITY_THRESHOLD)
            .order_by("-similarity", "id")
            .values_list("id", "similarity")[:limit]
        )
        return [(pk, round(float(sim), 3)) for pk, sim in rows]
    condition = (
        Q(name_key=name_key)
        | Q(name_key__startswith=name_key + " ")
        | Q(name_key__in=word_prefixes(name_key))
    )
    rows = qs.filter(condition).values_list("id", "name_key").order_by("id")[:limit]
    scored = [(pk, round(trigram_similarity(name_key, key), 3)) for pk, key in rows]
    return sorted(scored, key=lambda s: (-s[1], s[0]))


def similar_names_many(items: list[tuple[str, str]], *, limit: int = 3) -> list[list]:
    """``similar_names`` for many (kelurahan code, name key) pairs in one query per thousand
    (PostgreSQL: a LATERAL probe per pair, without a round trip each) — the import checks
    every row of a file. The probe reads the kelurahan's records by its index and compares
    each name (a few hundred even at a million businesses): the trigram index would first
    collect every name sharing a common trigram ("keripik …": tens of thousands).
    Returns one [(id, similarity)] list per pair, in order."""
    found: list[list] = [[] for _ in items]
    inactive = sorted({*INACTIVE_STATUSES, EnterpriseStatus.DRAFT})
    sql = f"""
        SELECT q.n, m.id, m.s
        FROM unnest(%s::int[], %s::text[], %s::text[]) AS q(n, kel, key)
        CROSS JOIN LATERAL (
            SELECT e.id, similarity(e.name_key, q.key) AS s
            FROM {Enterprise._meta.db_table} e
            WHERE e.kelurahan_id = q.kel
              AND similarity(e.name_key, q.key) >= %s
              AND NOT (e.status = ANY(%s))
            ORDER BY s DESC, e.id
            LIMIT %s
        ) m
        ORDER BY q.n, m.s DESC, m.id
    """  # noqa: S608 (the table name is the model's; values are parameters)
    wanted = [(n, kel, key) for n, (kel, key) in enumerate(items) if kel and key]
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 1000):
            part = wanted[start : start + 1000]
            cursor.execute(
                sql,
                [
                    [n for n, _k, _v in part],
                    [kel for _n, kel, _v in part],
                    [key for _n, _k, key in part],
                    NAME_SIMILARITY_THRESHOLD,
                    inactive,
                    limit,
                ],
            )
            for n, pk, similarity in cursor.fetchall():
                found[n].append((pk, round(float(similarity), 3)))
    return found


def similar_names_bulk(items: list[tuple[str, str]], *, limit: int = 3) -> list[list]:
    """``similar_names_many``'s answer, computed in memory for an import's thousands of rows.

    The SQL probe compares every name of the kelurahan with pg_trgm's similarity, so its cost
    grows with the register (≈ 0.14 ms a row at 20,000 businesses, tens of times that at a
    million). Here the register's names of the rows' kelurahan are read once (the index on
    (kelurahan, name_key) INCLUDE (status)), and each row is compared only with the names that
    share one of its rarest trigrams — a prefix filter: two sets with Jaccard similarity ≥ t
    share at least ⌈t·|A|⌉ elements, so under any fixed order of trigrams the first
    |A| - ⌈t·|A|⌉ + 1 of each set meet. The similarity is pg_trgm's (``trigram_similarity``:
    the same trigrams of the same ASCII words); tests compare both on PostgreSQL.
    Returns one [(id, similarity)] list per pair, in order, at most ``limit`` each."""
    found: list[list] = [[] for _ in items]
    wanted: dict[str, list[tuple[int, str]]] = {}
    for n, (kel, key) in enumerate(items):
        if kel and key:
            wanted.setdefault(kel, []).append((n, key))
    if not wanted:
        return found
    register: dict[str, list[tuple[int, str]]] = {}
    inactive = sorted({*INACTIVE_STATUSES, EnterpriseStatus.DRAFT})
    codes = sorted(wanted)
    for start in range(0, len(codes), 900):
        rows = (
            Enterprise.objects.filter(kelurahan_id__in=codes[start : start + 900])
            .exclude(status__in=inactive)
            .exclude(name_key="")
            .values_list("kelurahan_id", "id", "name_key")
        )
        for kel, pk, key in rows:
            register.setdefault(kel, []).append((pk, key))
    threshold = Fraction(str(NAME_SIMILARITY_THRESHOLD))
    grams_of: dict[str, frozenset] = {}

    def grams(key):
        got = grams_of.get(key)
        if got is None:
            got = grams_of[key] = frozenset(trigrams(key))
        return got

    num, den = threshold.numerator, threshold.denominator

    def prefix_length(size: int) -> int:
        return size + (-num * size // den) + 1  # size - ⌈t·size⌉ + 1, in integers

    for kel, probes in wanted.items():
        names = register.get(kel)
        if not names:
            continue
        sets = [grams(key) for _pk, key in names]
        frequency: dict[str, int] = {}
        for g in itertools.chain.from_iterable(sets):
            frequency[g] = frequency.get(g, 0) + 1
        # The order: rarest first (fewest candidates), ties by the trigram itself. A probe's
        # trigrams that no name has come before all others and match nothing.
        rank = {g: i for i, g in enumerate(sorted(frequency, key=lambda g: (frequency[g], g)))}
        by_rank = rank.__getitem__
        postings: dict[int, list[int]] = {}
        for index, b in enumerate(sets):
            for r in sorted(map(by_rank, b))[: prefix_length(len(b))]:
                postings.setdefault(r, []).append(index)
        for n, key in probes:
            a = grams(key)
            if not a:
                continue
            known = [rank[g] for g in a if g in rank]
            length = prefix_length(len(a)) - (len(a) - len(known))
            if length <= 0:
                continue
            candidates = set()
            for r in sorted(known)[:length]:
                candidates.update(postings.get(r, ()))
            scored = []
            for index in candidates:
                b = sets[index]
                common = len(a & b)
                similarity = common / (len(a) + len(b) - common)
                if similarity >= NAME_SIMILARITY_THRESHOLD:
                    scored.append((-similarity, names[index][0]))
            scored.sort()
            found[n] = [(pk, round(-negative, 3)) for negative, pk in scored[:limit]]
    return found


def duplicates_find(enterprise: Enterprise) -> list[tuple[int, str, float | None]]:
    """[(other id, kind, score)] — near duplicates of this record among compared records."""
    found: list[tuple[int, str, float | None]] = []
    base = _compared(Enterprise.objects.exclude(pk=enterprise.pk))
    for pk, score in similar_names(
        kelurahan_id=enterprise.kelurahan_id,
        name_key=enterprise.name_key,
        exclude_ids=[enterprise.pk] if enterprise.pk else [],
    ):
        found.append((pk, DuplicateKind.SIMILAR_NAME, score))
    if enterprise.phone:
        found += [
            (pk, DuplicateKind.SAME_PHONE, None)
            for pk in base.filter(phone=enterprise.phone).values_list("id", flat=True)[:10]
        ]
    if enterprise.owner_nik:
        found += [
            (pk, DuplicateKind.SAME_NIK, None)
            for pk in base.filter(owner_nik_hash=keyed_hash(enterprise.owner_nik))
            .exclude(name_key=enterprise.name_key)
            .values_list("id", flat=True)[:10]
        ]
    return found


def duplicates_flag(enterprise: Enterprise) -> int:
    """Create an open flag for each new near duplicate; a pair already judged "not a
    duplicate" stays judged. Returns the number of new flags."""
    if enterprise.status in INACTIVE_STATUSES or enterprise.status == EnterpriseStatus.DRAFT:
        return 0
    rows = []
    for other_id, kind, score in duplicates_find(enterprise):
        low, high = sorted((enterprise.pk, other_id))
        rows.append(DuplicateFlag(enterprise_id=low, other_id=high, kind=kind, score=score))
    if not rows:
        return 0
    existing = set(
        DuplicateFlag.objects.filter(Q(enterprise=enterprise) | Q(other=enterprise)).values_list(
            "enterprise_id", "other_id", "kind"
        )
    )
    new = [r for r in rows if (r.enterprise_id, r.other_id, r.kind) not in existing]
    DuplicateFlag.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def duplicate_flags_for(enterprise: Enterprise, *, open_only: bool = False):
    qs = DuplicateFlag.objects.filter(Q(enterprise=enterprise) | Q(other=enterprise))
    if open_only:
        qs = qs.filter(status=DuplicateFlagStatus.OPEN)
    return qs.select_related("enterprise", "other", "enterprise__kelurahan", "other__kelurahan")


@transaction.atomic
def duplicate_flag_dismiss(*, flag: DuplicateFlag, actor) -> DuplicateFlag:
    flag = DuplicateFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.status == DuplicateFlagStatus.NOT_DUPLICATE:
        return flag
    if flag.status != DuplicateFlagStatus.OPEN:
        raise Conflict(_("This possible duplicate has already been resolved."))
    flag.status = DuplicateFlagStatus.NOT_DUPLICATE
    flag.resolved_by = actor
    flag.resolved_at = timezone.now()
    flag.save(update_fields=["status", "resolved_by", "resolved_at"])
    for target, other in ((flag.enterprise, flag.other_id), (flag.other, flag.enterprise_id)):
        activity_log(
            target=target,
            action="enterprise.not_duplicate",
            actor=actor,
            data={"other": other, "kind": flag.kind},
        )
    return flag


def _move_foreign_records(*, drop: Enterprise, keep: Enterprise) -> dict[str, int]:
    """Point every record of other apps (training applications …) and the office's own records
    about the business (documents, facilitation) from `drop` to `keep`."""
    moved: dict[str, int] = {}
    own_moves = {"documents", "facilitations"}
    for rel in Enterprise._meta.related_objects:
        if not (rel.one_to_many and rel.field.concrete):
            continue
        model = rel.related_model
        is_registry = model._meta.app_label == "registry"
        if is_registry and rel.get_accessor_name() not in own_moves:
            continue
        if model is Enterprise:
            continue
        label = model._meta.label_lower
        try:
            with transaction.atomic():
                count = model._default_manager.filter(**{rel.field.name: drop}).update(
                    **{rel.field.name: keep}
                )
        except IntegrityError as exc:
            raise Conflict(
                _(
                    "The two businesses cannot be merged: both have %(what)s that cannot be "
                    "combined (for example an application to the same programme). Resolve "
                    "that first."
                )
                % {"what": model._meta.verbose_name_plural}
            ) from exc
        if count:
            moved[label] = count
    return moved


@transaction.atomic
def enterprise_merge(
    *, keep: Enterprise, drop: Enterprise, actor, source: str = HistorySource.PAGE
) -> Enterprise:
    """Merge `drop` into `keep`: `drop` is archived with a pointer to `keep` (both histories
    stay), fields empty in `keep` are filled from `drop`, and the applications, documents and
    facilitation records of `drop` move to `keep`."""
    from .enterprise import enterprise_set_status, enterprise_update

    if keep.pk == drop.pk:
        raise ApplicationError(_("A business cannot be merged with itself."))
    locked = {
        e.pk: e
        for e in Enterprise.objects.select_for_update(of=("self",))
        .select_related("kelurahan", "sentra", "owner")
        .filter(pk__in=[keep.pk, drop.pk])
        .order_by("pk")
    }
    keep, drop = locked[keep.pk], locked[drop.pk]
    if EnterpriseStatus.ARCHIVED in (keep.status, drop.status):
        raise Conflict(_("An archived business cannot be merged."))

    reason = _("Merged into business #%(id)s.") % {"id": keep.pk}
    enterprise_set_status(
        enterprise=drop,
        to_status=EnterpriseStatus.ARCHIVED,
        actor=actor,
        reason=reason,
        source=HistorySource.MERGE,
        extra={"merged_into": keep},
        action="merge",
    )

    fill = {}
    for field in EDITABLE_FIELDS:
        mine, theirs = getattr(keep, field), getattr(drop, field)
        if mine in (None, "") and theirs not in (None, ""):
            fill[field] = theirs
    if keep.owner_id is None and drop.owner_id is not None:
        fill["owner"] = drop.owner
    if fill:
        keep = enterprise_update(
            enterprise=keep,
            actor=actor,
            data=fill,
            source=HistorySource.MERGE,
            check_editable=False,
        )
    moved = _move_foreign_records(drop=drop, keep=keep)
    now = timezone.now()
    DuplicateFlag.objects.filter(
        Q(enterprise=drop) | Q(other=drop), status=DuplicateFlagStatus.OPEN
    ).update(status=DuplicateFlagStatus.MERGED, resolved_by=actor, resolved_at=now)
    DuplicateFlag.objects.filter(
        Q(enterprise=drop, other=keep) | Q(enterprise=keep, other=drop)
    ).update(status=DuplicateFlagStatus.MERGED, resolved_by=actor, resolved_at=now)
    history_record(
        enterprise=keep,
        actor=actor,
        source=HistorySource.MERGE,
        before={"merged_from": ""},
        after={"merged_from": f"#{drop.pk} {drop.name}"},
    )
    activity_log(
        target=keep,
        action="enterprise.merge",
        actor=actor,
        data={"merged_from": drop.pk, "moved": moved, "filled": sorted(fill)},
    )
    from .signals import enterprise_merged

    enterprise_merged.send(sender=Enterprise, keep=keep, drop=drop, actor=actor)
    return keep
