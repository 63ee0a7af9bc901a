"""Synthetic businesses at scale for benchmarks and load tests (``manage.py seed_scale``).

Realistic rather than random: Indonesian owner and business names, East Java's kelurahan and
desa from the bundled reference data, KBLI 2020 section C product lines, workers and investment
by size, the status mix of a working register with its dates and decision history. The same
``seed`` (and chunk size) on the same database gives the same rows.

Worker processes generate the rows directly as PostgreSQL COPY text (one f-string per row,
every random choice an index into lists built once), so the writer only streams bytes. On
PostgreSQL the rows go in with ``COPY`` after the secondary indexes are dropped, all in one
transaction; the indexes are rebuilt at the end (building an index once is much cheaper than
maintaining it a million times). Elsewhere (SQLite, the tests) the same text is parsed back
into model instances and written with ``bulk_create``."""

import datetime
import io
import itertools
import math
import multiprocessing
import random
import time
from bisect import bisect
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction

from ikm_portal.core.crypto import decrypt_text, encrypt_text, keyed_hash
from ikm_portal.core.models import ActivityLog

from . import demo
from .choices import (
    VILLAGE_LEVELS,
    CapacityUnit,
    CertificationKind,
    EnterpriseStatus,
    Gender,
    HistorySource,
    KbliLevel,
    LegalForm,
    MarketingReach,
    RegistrationSource,
)
from .classification import size_class, umkm_class
from .models import (
    Certification,
    Enterprise,
    FieldChange,
    Kbli,
    Product,
    Region,
    product_names_of,
)
from .services.derive import name_key
from .services.reference import BUNDLED_REGIONS, regions_load

S = EnterpriseStatus
# A register some years old: most records verified, a tail of work in progress.
STATUS_WEIGHTS = [
    (S.VERIFIED, 70),
    (S.SUBMITTED, 8),
    (S.NEEDS_REVISION, 3),
    (S.DRAFT, 10),
    (S.REJECTED, 2),
    (S.ARCHIVED, 7),
]
SOURCE_WEIGHTS = [
    (RegistrationSource.ONLINE, 35),
    (RegistrationSource.WALK_IN, 25),
    (RegistrationSource.ENUMERATOR, 15),
    (RegistrationSource.IMPORT, 25),
]
EPOCH = datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
SPAN_SECONDS = int((datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC) - EPOCH).total_seconds())

# (group, KBLI 2020 class, product, unit, raw materials). A group gives the words of the name.
LINES = [
    ("tempe", "10391", "Tempe kedelai", CapacityUnit.KG, "Kedelai, ragi"),
    ("tempe", "10794", "Keripik tempe", CapacityUnit.KG, "Tempe, tepung beras, minyak goreng"),
    ("keripik", "10794", "Keripik singkong", CapacityUnit.KG, "Singkong, bumbu"),
    ("keripik", "10794", "Keripik pisang", CapacityUnit.KG, "Pisang, gula"),
    ("keripik", "10313", "Keripik buah", CapacityUnit.KG, "Apel, nangka, salak"),
    ("kue", "10710", "Kue kering", CapacityUnit.KG, "Tepung terigu, mentega, gula"),
    ("kue", "10710", "Roti manis", CapacityUnit.PCS, "Tepung terigu, ragi"),
    ("kue", "10792", "Kue basah", CapacityUnit.PCS, "Tepung beras, santan, gula merah"),
    ("sambal", "10773", "Sambal kemasan", CapacityUnit.KG, "Cabai, bawang, minyak"),
    ("minuman", "11040", "Sari buah", CapacityUnit.LITER, "Buah, gula"),
    ("minuman", "10763", "Kopi bubuk", CapacityUnit.KG, "Biji kopi robusta"),
    ("minuman", "10792", "Jamu instan", CapacityUnit.KG, "Jahe, kunyit, temulawak"),
    ("olahan", "10130", "Bakso dan nugget", CapacityUnit.KG, "Daging sapi, tepung tapioka"),
    ("olahan", "10213", "Ikan asap", CapacityUnit.KG, "Ikan tongkol"),
    ("olahan", "10799", "Kerupuk", CapacityUnit.KG, "Tepung tapioka, udang"),
    ("keramik", "23932", "Vas keramik", CapacityUnit.PCS, "Tanah liat, glasir"),
    ("gerabah", "23932", "Gerabah dan pot tanah liat", CapacityUnit.PCS, "Tanah liat"),
    ("rotan", "31002", "Kursi rotan", CapacityUnit.SET, "Rotan, paku, pernis"),
    ("rotan", "16291", "Keranjang anyaman", CapacityUnit.PCS, "Rotan, bambu"),
    ("mebel", "31001", "Lemari dan meja kayu", CapacityUnit.UNIT, "Kayu jati, kayu mahoni"),
    ("kerajinan", "16299", "Topeng dan ukiran kayu", CapacityUnit.PCS, "Kayu pule, cat"),
    ("kerajinan", "32909", "Souvenir dan aksesoris", CapacityUnit.PCS, "Manik-manik, resin"),
    ("batik", "13134", "Kain batik tulis", CapacityUnit.M, "Kain mori, malam, pewarna"),
    ("batik", "13134", "Batik cap", CapacityUnit.M, "Kain katun, malam"),
    ("konveksi", "14111", "Kaos dan seragam", CapacityUnit.LUSIN, "Kain katun"),
    ("konveksi", "14120", "Jilbab dan busana muslim", CapacityUnit.KODI, "Kain rayon"),
    ("sepatu", "15201", "Sandal dan sepatu", CapacityUnit.PASANG, "Kulit sintetis, karet"),
    ("sepatu", "15121", "Tas kulit", CapacityUnit.PCS, "Kulit sapi, benang"),
    ("logam", "25932", "Pisau dan alat dapur", CapacityUnit.PCS, "Baja, kayu"),
    ("logam", "25991", "Pagar dan teralis besi", CapacityUnit.M2, "Besi hollow, cat"),
    ("sabun", "20231", "Sabun herbal", CapacityUnit.PCS, "Minyak kelapa, soda api"),
]
# The share of each group among businesses: food first, as in every East Java register.
GROUP_WEIGHTS = {
    "tempe": 7,
    "keripik": 11,
    "kue": 14,
    "sambal": 5,
    "minuman": 9,
    "olahan": 9,
    "keramik": 2,
    "gerabah": 2,
    "rotan": 3,
    "mebel": 6,
    "kerajinan": 6,
    "batik": 5,
    "konveksi": 10,
    "sepatu": 5,
    "logam": 4,
    "sabun": 2,
}
NAME_WORDS = {
    "tempe": ["Tempe", "Keripik Tempe", "Tempe Sehat"],
    "keripik": ["Keripik", "Camilan", "Snack"],
    "kue": ["Kue", "Roti", "Bakery", "Jajanan"],
    "sambal": ["Sambal", "Bumbu"],
    "minuman": ["Minuman", "Kopi", "Jamu"],
    "olahan": ["Frozen Food", "Kerupuk", "Olahan Pangan"],
    "keramik": ["Keramik", "Art Keramik"],
    "gerabah": ["Gerabah", "Tembikar"],
    "rotan": ["Rotan", "Anyaman"],
    "mebel": ["Mebel", "Furniture", "Kayu"],
    "kerajinan": ["Kerajinan", "Craft", "Souvenir"],
    "batik": ["Batik", "Batik Tulis"],
    "konveksi": ["Konveksi", "Garmen", "Busana"],
    "sepatu": ["Sepatu", "Tas", "Kulit"],
    "logam": ["Las", "Bengkel Logam", "Pande Besi"],
    "sabun": ["Sabun", "Herbal"],
}
SUFFIXES = [
    "Jaya",
    "Makmur",
    "Lestari",
    "Barokah",
    "Sejahtera",
    "Mandiri",
    "Abadi",
    "Sentosa",
    "Rejeki",
    "Sumber Rezeki",
    "Mulya",
    "Berkah",
    "Indah",
    "Sari",
    "Maju",
    "Karya",
    "Putra",
    "Putri",
    "Bersama",
    "Nusantara",
]
PREFIXES = ["", "", "", "UD ", "CV ", "Home Industri ", "IKM ", "Rumah "]
SYLLABLES = [
    "ka",
    "ri",
    "na",
    "sa",
    "ra",
    "wi",
    "lo",
    "ta",
    "me",
    "du",
    "ni",
    "ya",
    "ba",
    "go",
    "si",
    "mu",
    "ja",
    "pe",
    "le",
    "ko",
    "ha",
    "tu",
    "ne",
    "da",
]
# Demo's names first (registry/demo.py), then more for variety at scale.
FIRST = {
    Gender.MALE: [
        *demo.FIRST[Gender.MALE],
        "Ahmad",
        "Muhammad",
        "Rizky",
        "Fajar",
        "Hendra",
        "Sutrisno",
        "Supriyadi",
        "Suparman",
        "Hari",
        "Andi",
        "Bayu",
        "Dimas",
        "Gilang",
        "Iwan",
        "Puji",
    ],
    Gender.FEMALE: [
        *demo.FIRST[Gender.FEMALE],
        "Eni",
        "Sulastri",
        "Sumiati",
        "Yanti",
        "Fitri",
        "Ayu",
        "Dian",
        "Lestari",
        "Novi",
        "Retno",
        "Umi",
        "Wiwik",
        "Nanik",
        "Astuti",
        "Rini",
    ],
}
LAST = [
    *demo.LAST,
    "Nugroho",
    "Hartono",
    "Suwarno",
    "Wijaya",
    "Kusuma",
    "Rahmawati",
    "Anggraini",
    "Firmansyah",
    "Maulana",
    "Hasanah",
    "Rohmah",
    "Fauzi",
    "Syahputra",
    "Pratama",
    "Ningsih",
]
STREETS = [
    "Raya",
    "Merdeka",
    "Diponegoro",
    "Sudirman",
    "Ahmad",
    "Yani",
    "Gajah",
    "Mada",
    "Pahlawan",
    "Veteran",
    "Kartini",
    "Imam",
    "Bonjol",
    "Mawar",
    "Melati",
    "Kenanga",
    "Flamboyan",
    "Cempaka",
    "Anggrek",
    "Teratai",
    "Dahlia",
    "Sukarno-Hatta",
    "Brawijaya",
]
OPERATORS = ["11", "12", "13", "21", "22", "52", "53", "57", "77", "78", "81", "82", "85", "95"]
REVISION_REASONS = [
    "Foto tempat usaha belum dilampirkan.",
    "Alamat belum lengkap: mohon isi RT/RW.",
    "Jumlah tenaga kerja tidak sesuai dengan data kunjungan.",
]
REJECT_REASONS = ["Bukan usaha industri (perdagangan).", "Data ganda dengan usaha lain."]

# The COPY columns, in the order the generator writes them. Products, certifications, decisions
# and field changes take their ids from their identity columns (in COPY order).
ENTERPRISE_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "source",
    "owner_name",
    "owner_nik",  # the Fernet token (ikm_portal.core.crypto), as the model field stores it
    "owner_nik_hash",
    "owner_gender",
    "phone",
    "email",
    "name",
    "name_key",
    "brand",
    "product_names",
    "nib",
    "npwp",
    "legal_form",
    "year_established",
    "address",
    "rt_rw",
    "postal_code",
    "latitude",
    "longitude",
    "workers_male",
    "workers_female",
    "workers_unspecified",
    "workers_total",
    "investment_idr",
    "land_building_idr",
    "annual_turnover_idr",
    "modal_usaha_idr",
    "size_class",
    "size_class_rule",
    "umkm_class",
    "umkm_class_rule",
    "status",
    "status_reason",
    "status_changed_at",
    "submitted_at",
    "verified_at",
    "draft_step",
    "consent_version",
    "consent_at",
    "kecamatan_id",
    "kelurahan_id",
]
PRODUCT_COLUMNS = [
    "enterprise_id",
    "kbli_id",
    "kbli_code",
    "kbli_version",
    "name",
    "capacity_per_year",
    "capacity_unit",
    "raw_materials",
    "marketing_reach",
    "position",
]
CERTIFICATION_COLUMNS = ["enterprise_id", "kind", "number", "expires_on"]
ACTIVITY_COLUMNS = [
    "created_at",
    "content_type_id",
    "object_id",
    "action",
    "from_state",
    "to_state",
    "reason",
    "data",
]
HISTORY_COLUMNS = [
    "enterprise_id",
    "batch",
    "changed_at",
    "source",
    "field",
    "old_value",
    "new_value",
]
NULL = "\\N"  # COPY's text format; no generated value holds a tab, newline or backslash


@dataclass
class Reference:
    villages: list[tuple[str, str, str]]  # (kelurahan code, kecamatan code, postal code)
    kbli: dict[str, int]  # KBLI 2020 class code → Kbli.id
    lines: dict[str, list[tuple]] = field(default_factory=dict)  # group → usable LINES


@dataclass
class Chunk:
    """Generated rows as COPY text (UTF-8, one line per row) per table, and their counts."""

    enterprises: bytes
    products: bytes
    certifications: bytes
    activity: bytes
    history: bytes
    counts: dict[str, int]
    cpu_seconds: float = 0.0


@dataclass
class Seeded:
    enterprises: int = 0
    products: int = 0
    certifications: int = 0
    activity: int = 0
    history: int = 0
    first_id: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def load_reference(*, load_jatim: bool = True) -> Reference:
    """East Java's villages (loaded from the bundled file when missing) and KBLI classes."""
    villages_q = Region.objects.filter(level__in=VILLAGE_LEVELS, code__startswith="35.")
    if load_jatim and villages_q.count() < 8000:
        regions_load(BUNDLED_REGIONS["jatim"])
    villages = [
        (code, parent or code.rsplit(".", 1)[0], postal or "")
        for code, parent, postal in villages_q.order_by("code").values_list(
            "code", "parent_id", "postal_code"
        )
    ]
    kbli = dict(
        Kbli.objects.filter(level=KbliLevel.CLASS, version="2020").values_list("code", "id")
    )
    ref = Reference(villages=villages, kbli=kbli)
    for line in LINES:
        if line[1] in kbli:
            ref.lines.setdefault(line[0], []).append(line)
    if not villages or not ref.lines:
        raise RuntimeError(
            "No East Java regions or KBLI 2020 codes: run `manage.py load_demo --reference-only`."
        )
    return ref


def _cumulative(weights) -> tuple[list[float], float]:
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    return cum, total


DAY = 86_400
EPOCH_DAY = EPOCH.date().toordinal()
# Created within SPAN_SECONDS, then submitted (≤ 10 days), verified (≤ 21), archived (≤ 700),
# certificates valid up to 5 years from creation: every day the generator can write.
CALENDAR_DAYS = SPAN_SECONDS // DAY + 5 * 365 + 2


@cache
def _calendar() -> tuple[list[str], list[str], list[int]]:
    """Text of each day since EPOCH ('2019-01-01 '), of each second of a day ('00:00:00+00')
    and the year of each day: a timestamp's COPY text is two list look-ups."""
    dates = [datetime.date.fromordinal(EPOCH_DAY + d) for d in range(CALENDAR_DAYS)]
    days = [f"{d.isoformat()} " for d in dates]
    clock = [f"{h:02d}:{m:02d}:{s:02d}+00" for h in range(24) for m in range(60) for s in range(60)]
    return days, clock, [d.year for d in dates]


# Owners born 1955 to 2003: the NIK's two-digit year.
BORN_YEARS = [f"{year % 100:02d}" for year in range(1955, 2004)]
# Names repeat (the same words, prefixes and brands): each distinct name is keyed once.
_name_key = lru_cache(maxsize=1 << 18)(name_key)


def _binomial_cum(n: int, p: float) -> list[float]:
    """Cumulative probabilities of 0..n successes: one draw and a bisect instead of n draws."""
    probs = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    return _cumulative(probs)[0][:-1]  # the last bound is 1.0: bisect never passes it


class Generator:
    """Rows of businesses as COPY text; one ``random.Random(seed)`` drives all the choices.

    The hot loop is written for speed, not for beauty: a million businesses are ~60 million
    random choices, so every choice is an index into a list built once (vocabularies, dates,
    the clock, product combinations and their names) and every row is a single f-string."""

    def __init__(
        self,
        ref: Reference,
        *,
        seed: int,
        first_id: int,
        content_type: int = 0,
        serial_prefix: int = 0,
        hashes_taken: set | frozenset = frozenset(),
    ):
        self.ref = ref
        self.rng = random.Random(seed)
        self.first_id = first_id
        self.content_type = content_type
        self.hashes_taken = hashes_taken  # keyed hashes of the NIKs already stored
        self.niks: set[str] = set()
        # NIKs of different chunks differ in their serial's first two digits (a generator keeps
        # its own chunk's unique; chunks 100 apart could repeat one, with a different name).
        self.serials = [f"{serial_prefix % 100 * 100 + s:04d}" for s in range(1, 100)]
        groups = [g for g in GROUP_WEIGHTS if g in ref.lines]
        self.groups = groups
        self.group_cum, self.group_total = _cumulative(GROUP_WEIGHTS[g] for g in groups)
        self.statuses = [str(s) for s, _w in STATUS_WEIGHTS]
        self.status_cum, self.status_total = _cumulative(w for _s, w in STATUS_WEIGHTS)
        self.sources = [str(s) for s, _w in SOURCE_WEIGHTS]
        self.source_cum, self.source_total = _cumulative(w for _s, w in SOURCE_WEIGHTS)
        # Kota Malang (the first office) holds a larger share than any other kabupaten/kota.
        villages = [
            (kel, kec, postal, kec.replace(".", "")[:6].ljust(6, "0"))
            for kel, kec, postal in ref.villages
        ]
        malang = [v for v in villages if v[0].startswith("35.73.")]
        others = [v for v in villages if not v[0].startswith("35.73.")] or malang
        self.malang, self.others = malang or others, others
        # Per group and number of products: every ordered choice of distinct product lines
        # (what random.sample draws) with the row's product_names and the product rows' text.
        self.combinations = {
            g: {
                n: [
                    (
                        product_names_of(line[2] for line in combo),
                        [
                            (
                                f"\t{ref.kbli[code]}\t{code}\t2020\t{product}\t",
                                f"\t{unit}\t{materials}\t",
                            )
                            for _g, code, product, unit, materials in combo
                        ],
                    )
                    for combo in itertools.permutations(ref.lines[g], min(n, len(ref.lines[g])))
                ]
                for n in (1, 2, 3)
            }
            for g in groups
        }
        syllables = SYLLABLES
        self.brands = (
            [(a + b).capitalize() for a in syllables for b in syllables],
            [(a + b + c).capitalize() for a in syllables for b in syllables for c in syllables],
        )
        self.female_cum = [None, *(_binomial_cum(n, 0.55) for n in range(1, 9))]

    def chunk(self, start: int, stop: int) -> Chunk:
        """The businesses ``first_id + start`` … ``first_id + stop - 1``."""
        rng = self.rng
        rand, gauss, getrandbits = rng.random, rng.gauss, rng.getrandbits
        days, clock, years = _calendar()
        ct = self.content_type
        niks, taken, serials = self.niks, self.hashes_taken, self.serials
        name_key_of = _name_key
        groups, group_cum, group_total = self.groups, self.group_cum, self.group_total
        statuses, status_cum, status_total = self.statuses, self.status_cum, self.status_total
        sources, source_cum, source_total = self.sources, self.source_cum, self.source_total
        malang, others = self.malang, self.others
        n_malang, n_others = len(malang), len(others)
        combinations = self.combinations
        brands2, brands3 = self.brands
        n_b2, n_b3 = len(brands2), len(brands3)
        female_cum = self.female_cum
        first_female, first_male = FIRST[Gender.FEMALE], FIRST[Gender.MALE]
        n_ff, n_fm, n_last = len(first_female), len(first_male), len(LAST)
        n_prefix, n_suffix, n_street, n_ops = (
            len(PREFIXES),
            len(SUFFIXES),
            len(STREETS),
            len(OPERATORS),
        )
        words = {g: NAME_WORDS[g] for g in groups}
        pirt_groups = {"tempe", "keripik", "kue", "sambal"}
        other_certs = [str(CertificationKind.HALAL), str(CertificationKind.HAKI_MEREK)]
        pirt = str(CertificationKind.PIRT)
        female_s, male_s = str(Gender.FEMALE), str(Gender.MALE)
        online = str(RegistrationSource.ONLINE)
        lokal, regional = str(MarketingReach.LOKAL), str(MarketingReach.REGIONAL)
        nasional, ekspor = str(MarketingReach.NASIONAL), str(MarketingReach.EKSPOR)
        born_years = BORN_YEARS
        n_born = len(born_years)
        legal_forms = [
            str(f)
            for f in (
                LegalForm.PERORANGAN,
                LegalForm.UD,
                LegalForm.CV,
                LegalForm.PT_PERORANGAN,
                LegalForm.KOPERASI,
            )
        ]
        page = str(HistorySource.PAGE)
        verified_s, archived_s, draft_s = str(S.VERIFIED), str(S.ARCHIVED), str(S.DRAFT)
        revision_s, rejected_s = str(S.NEEDS_REVISION), str(S.REJECTED)
        span = SPAN_SECONDS + 1

        e_out, p_out, c_out, a_out, h_out = [], [], [], [], []
        e_add, p_add, c_add, a_add, h_add = (
            e_out.append,
            p_out.append,
            c_out.append,
            a_out.append,
            h_out.append,
        )
        for pk in range(self.first_id + start, self.first_id + stop):
            if rand() < 0.05:
                kelurahan, kecamatan, postal, region = malang[int(rand() * n_malang)]
            else:
                kelurahan, kecamatan, postal, region = others[int(rand() * n_others)]
            group = groups[bisect(group_cum, rand() * group_total)]
            group_words = words[group]
            female = rand() < 0.55
            if female:
                gender, first = female_s, first_female[int(rand() * n_ff)]
            else:
                gender, first = male_s, first_male[int(rand() * n_fm)]
            owner_name = first if rand() < 0.15 else f"{first} {LAST[int(rand() * n_last)]}"
            born = born_years[int(rand() * n_born)]
            while True:
                day = int(rand() * 28) + (41 if female else 1)
                nik = (
                    f"{region}{day:02d}{int(rand() * 12) + 1:02d}{born}{serials[int(rand() * 99)]}"
                )
                if nik in niks:
                    continue
                nik_hash = keyed_hash(nik)
                if nik_hash not in taken:
                    break
            niks.add(nik)
            phone = f"+628{OPERATORS[int(rand() * n_ops)]}{int(rand() * 98_999_999) + 1_000_000}"
            email = f"{first.lower()}{int(rand() * 9999) + 1}@gmail.com" if rand() < 0.3 else ""

            brand = ""
            r = rand()
            if r < 0.35:
                name = (
                    f"{PREFIXES[int(rand() * n_prefix)]}"
                    f"{group_words[int(rand() * len(group_words))]} "
                    f"{SUFFIXES[int(rand() * n_suffix)]}"
                )
            elif r < 0.6:
                brand = brands2[int(rand() * n_b2)] if rand() < 0.5 else brands3[int(rand() * n_b3)]
                name = (
                    f"{PREFIXES[int(rand() * n_prefix)]}"
                    f"{group_words[int(rand() * len(group_words))]} {brand}"
                )
            elif r < 0.8:
                word = group_words[int(rand() * len(group_words))]
                name = f"{word} Bu {first}" if female else f"{word} Pak {first}"
            else:
                brand = brands2[int(rand() * n_b2)] if rand() < 0.5 else brands3[int(rand() * n_b3)]
                name = (
                    f"{PREFIXES[int(rand() * n_prefix)]}{SUFFIXES[int(rand() * n_suffix)]} "
                    f"{SUFFIXES[int(rand() * n_suffix)]}"
                )
            if not brand and rand() < 0.3:
                word = brands2[int(rand() * n_b2)] if rand() < 0.5 else brands3[int(rand() * n_b3)]
                brand = f"{word} {group_words[int(rand() * len(group_words))].split()[0]}"

            n_products = 1 if rand() < 0.6 else 2 if rand() < 0.75 else 3
            options = combinations[group][n_products]
            product_names, product_rows = options[int(rand() * len(options))]
            status = statuses[bisect(status_cum, rand() * status_total)]
            source = sources[bisect(source_cum, rand() * source_total)]
            created = int(rand() * span)  # seconds since EPOCH
            submitted = verified = changed = None
            reason = ""
            if status != draft_s:
                submitted = changed = created + (int(rand() * 14_396) + 5) * 60
                if status in (verified_s, archived_s):
                    verified = changed = submitted + (int(rand() * 503) + 2) * 3600
                    if status == archived_s:
                        changed = verified + (int(rand() * 671) + 30) * DAY
                        reason = "Usaha sudah tidak beroperasi."
                elif status == revision_s:
                    changed = submitted + (int(rand() * 335) + 2) * 3600
                    reason = REVISION_REASONS[int(rand() * len(REVISION_REASONS))]
                elif status == rejected_s:
                    changed = submitted + (int(rand() * 335) + 2) * 3600
                    reason = REJECT_REASONS[int(rand() * len(REJECT_REASONS))]
            created_day = created // DAY
            created_at = days[created_day] + clock[created % DAY]
            if changed is None:
                changed_at = NULL
                updated_at = created_at
            else:
                changed_at = updated_at = days[changed // DAY] + clock[changed % DAY]
            submitted_at = (
                NULL if submitted is None else days[submitted // DAY] + clock[submitted % DAY]
            )
            verified_at = (
                NULL if verified is None else days[verified // DAY] + clock[verified % DAY]
            )

            # Workers and money by size: most IKM are micro and small.
            r = rand()
            if r < 0.62:
                workers = int(rand() * 4) + 1
            elif r < 0.95:
                workers = int(rand() * 15) + 5
            else:
                workers = int(rand() * 101) + 20
            if rand() < 0.1:
                male = female_workers = 0
                unspecified = workers
            else:
                sampled = min(workers, 8)  # women among up to 8 workers, scaled to all
                female_workers = bisect(female_cum[sampled], rand())
                female_workers = min(workers, round(female_workers * workers / sampled))
                male = workers - female_workers
                unspecified = 0
            scale = 1 if workers < 5 else 4 if workers < 20 else 30
            investment = int(min(round(math.exp(gauss(17.0, 1.0)) * scale, -4), 40_000_000_000))
            land = int(round(investment * (0.5 + 2.5 * rand()), -5)) if rand() < 0.5 else None
            modal = int(round(investment * (0.3 + 0.9 * rand()), -4))
            turnover = int(round(investment * (0.8 + 3.2 * rand()), -5))
            if status == draft_s and rand() < 0.5:
                investment = land = modal = turnover = None
            size = size_class(workers=workers, investment_idr=investment)
            umkm = umkm_class(modal_usaha_idr=modal, annual_turnover_idr=turnover)

            good = status in (verified_s, archived_s)
            if rand() < (0.7 if good else 0.3):
                nib = f"{int(rand() * 9) + 1}{pk * 2654435761 % 10**12:012d}"
            else:
                nib = ""
            npwp = f"{int(rand() * 9 * 10**14) + 10**14}" if rand() < 0.2 else ""
            r = rand()
            legal = legal_forms[
                0 if r < 0.7 else 1 if r < 0.85 else 2 if r < 0.95 else 3 if r < 0.98 else 4
            ]
            year = max(1975, min(2026, years[created_day] - int(-math.log(1.0 - rand()) * 6)))
            if rand() < 0.7:
                lat = f"{-8.6 + 1.7 * rand():.6f}"
                lon = f"{111.1 + 3.3 * rand():.6f}"
            else:
                lat = lon = NULL
            if source == online:
                consent_version, consent_at = "2026-11", created_at
            else:
                consent_version, consent_at = "", NULL
            e_add(
                f"{pk}\t{created_at}\t{updated_at}\t{source}\t{owner_name}\t"
                f"{encrypt_text(nik)}\t{nik_hash}\t"
                f"{gender}\t{phone}\t{email}\t{name}\t{name_key_of(name)}\t{brand}\t"
                f"{product_names}\t{nib}\t{npwp}\t{legal}\t{year}\t"
                f"Jl. {STREETS[int(rand() * n_street)]} No. {int(rand() * 250) + 1}\t"
                f"{int(rand() * 15) + 1:03d}/{int(rand() * 12) + 1:03d}\t{postal}\t{lat}\t{lon}\t"
                f"{male}\t{female_workers}\t{unspecified}\t{workers}\t"
                f"{NULL if investment is None else investment}\t"
                f"{NULL if land is None else land}\t"
                f"{NULL if turnover is None else turnover}\t"
                f"{NULL if modal is None else modal}\t"
                f"{size.value}\t{size.rule}\t{umkm.value}\t{umkm.rule}\t{status}\t{reason}\t"
                f"{changed_at}\t{submitted_at}\t{verified_at}\t"
                f"{int(rand() * 4) + 1 if status == draft_s else 5}\t"
                f"{consent_version}\t{consent_at}\t{kecamatan}\t{kelurahan}\n"
            )

            for position, (head, middle) in enumerate(product_rows):
                reach = (
                    lokal
                    if rand() < 0.6
                    else regional
                    if rand() < 0.8
                    else nasional
                    if rand() < 0.9
                    else ekspor
                )
                p_add(
                    f"{pk}{head}{(int(rand() * 500) + 1) * 10 * scale}.00{middle}{reach}\t{position}\n"
                )
            if rand() < 0.3:
                kind = pirt if group in pirt_groups else other_certs[int(rand() * 2)]
                expires = days[created_day + int(rand() * 1461) + 365][:-1]
                c_add(f"{pk}\t{kind}\t{int(rand() * 9 * 10**9) + 10**9}\t{expires}\n")

            if submitted is not None:
                a_add(f"{submitted_at}\t{ct}\t{pk}\tenterprise.submit\tdraft\tsubmitted\t\t{{}}\n")
                if status == revision_s:
                    a_add(
                        f"{changed_at}\t{ct}\t{pk}\tenterprise.request_revision\tsubmitted\t"
                        f"{status}\t{reason}\t{{}}\n"
                    )
                elif status == rejected_s:
                    a_add(
                        f"{changed_at}\t{ct}\t{pk}\tenterprise.reject\tsubmitted\t{status}\t"
                        f"{reason}\t{{}}\n"
                    )
                elif verified is not None:
                    a_add(
                        f"{verified_at}\t{ct}\t{pk}\tenterprise.verify\tsubmitted\t"
                        f"{verified_s}\t\t{{}}\n"
                    )
                    if status == archived_s:
                        a_add(
                            f"{changed_at}\t{ct}\t{pk}\tenterprise.archive\t{verified_s}\t"
                            f"{status}\t{reason}\t{{}}\n"
                        )
            if status == verified_s and rand() < 0.05:
                new_phone = (
                    f"+628{OPERATORS[int(rand() * n_ops)]}{int(rand() * 98_999_999) + 1_000_000}"
                )
                h_add(
                    f"{pk}\t{getrandbits(128):032x}\t{verified_at}\t{page}\tphone\t"
                    f"{phone}\t{new_phone}\n"
                )
        return Chunk(
            enterprises="".join(e_out).encode(),
            products="".join(p_out).encode(),
            certifications="".join(c_out).encode(),
            activity="".join(a_out).encode(),
            history="".join(h_out).encode(),
            counts={
                "enterprises": len(e_out),
                "products": len(p_out),
                "certifications": len(c_out),
                "activity": len(a_out),
                "history": len(h_out),
            },
        )


# --- Writing ---------------------------------------------------------------------------------


def _copy(cursor, table: str, columns: list[str], text: bytes) -> None:
    if text:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.BytesIO(text), 1 << 20
        )


@dataclass
class Index:
    name: str
    definition: str  # CREATE [UNIQUE] INDEX …
    unique: bool
    cost: int  # a guess for the order of the builds: the table's pages, four times that for GIN


def _secondary_indexes(cursor, tables: list[str]) -> list[Index]:
    """The indexes that back no constraint (not the primary keys)."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid), x.indisunique,
               pg_relation_size(t.oid) / 8192 * CASE WHEN a.amname = 'gin' THEN 4 ELSE 1 END
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_am a ON a.oid = i.relam
        WHERE t.relname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
        ORDER BY i.relname
        """,
        [tables],
    )
    return [Index(*row) for row in cursor.fetchall()]


MAINTENANCE_WORK_MEM = "512MB"


def _create_index(definition: str) -> None:
    """One CREATE INDEX on a connection of its own (autocommit)."""
    conn = connection.get_new_connection(connection.get_connection_params())
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            cursor.execute(definition)
    finally:
        conn.close()


def _build_indexes(indexes: list[Index], *, connections: int) -> None:
    """Build committed tables' indexes over several connections, the costliest first.

    A GIN build uses one core and a btree build its leader and parallel workers, so two
    builds at a time keep a 2-core machine busy where one at a time left a core idle during
    the GIN builds (about a third of the rebuild at 1M). What fails (e.g. out of memory beside
    another build) is built again alone; if that fails too the error names every index still
    missing. Ctrl-C lets the builds already queued finish before the process exits."""
    order = sorted(indexes, key=lambda i: i.cost, reverse=True)
    failed = []
    with ThreadPoolExecutor(max_workers=connections) as pool:
        futures = [(index, pool.submit(_create_index, index.definition)) for index in order]
        for index, future in futures:
            if future.exception() is not None:
                failed.append(index)
    missing = []
    with connection.cursor() as cursor:
        for index in failed:
            try:
                cursor.execute(index.definition.replace(" INDEX ", " INDEX IF NOT EXISTS ", 1))
            except DatabaseError:
                missing.append(index)
    if missing:
        raise RuntimeError(
            "Indexes not rebuilt; run these statements: "
            + "; ".join(index.definition for index in missing)
        )


def _try(cursor, sql: str) -> bool:
    """Run ``sql`` in a savepoint; False when the role may not (e.g. not a superuser)."""
    try:
        with transaction.atomic():
            cursor.execute(sql)
    except DatabaseError:
        return False
    return True


TABLES = {
    "enterprises": (Enterprise._meta.db_table, ENTERPRISE_COLUMNS),
    "products": (Product._meta.db_table, PRODUCT_COLUMNS),
    "certifications": (Certification._meta.db_table, CERTIFICATION_COLUMNS),
    "activity": (ActivityLog._meta.db_table, ACTIVITY_COLUMNS),
    "history": (FieldChange._meta.db_table, HISTORY_COLUMNS),
}


def seed_enterprises(
    *,
    count: int,
    seed: int,
    chunk: int = 50_000,
    workers: int = 2,
    log: Callable[[str], None] = lambda s: None,
) -> Seeded:
    """Append ``count`` businesses with products, certifications and history.

    Chunks of ``chunk`` rows are generated by ``workers`` processes while this one writes; each
    chunk has its own generator seeded by (seed, chunk number), so the data depends on the seed
    and the chunk size, not on the number of workers."""
    ref = load_reference()
    first_id = (Enterprise.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    taken = frozenset(
        Enterprise.objects.exclude(owner_nik_hash="").values_list("owner_nik_hash", flat=True)
    )
    result = Seeded(first_id=first_id)
    ct = ContentType.objects.get_for_model(Enterprise).pk
    postgres = connection.vendor == "postgresql"
    # Outside a transaction (the command, the benchmarks) the rows are committed first and
    # the plain indexes rebuilt over two connections; inside one (a test) all in this one.
    parallel = postgres and workers > 1 and not connection.in_atomic_block
    seconds = result.seconds
    started = time.perf_counter()
    later: list[Index] = []
    with transaction.atomic(), connection.cursor() as cursor:
        dropped = []
        if postgres:
            # Checks still deferred from earlier statements of the caller's transaction would
            # stop CREATE INDEX ("pending trigger events"); without the replica role the
            # foreign keys of the COPYs are then checked as they go, not queued in memory.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            cursor.execute("SET LOCAL synchronous_commit = off")
            replica = _try(cursor, "SET LOCAL session_replication_role = replica")
            dropped = _secondary_indexes(cursor, [t for t, _c in TABLES.values()])
            for index in dropped:
                cursor.execute(f'DROP INDEX "{index.name}"')
        tasks = [
            (seed, n, start, min(count, start + chunk), first_id, ct)
            for n, start in enumerate(range(0, count, chunk))
        ]
        global _WORK
        _WORK = (ref, taken)
        t0 = time.perf_counter()
        for made in _generate(tasks, workers):
            seconds["generate"] = seconds.get("generate", 0) + time.perf_counter() - t0
            seconds["generate_cpu"] = seconds.get("generate_cpu", 0) + made.cpu_seconds
            t0 = time.perf_counter()
            if postgres:
                for key, (table, columns) in TABLES.items():
                    _copy(cursor, table, columns, getattr(made, key))
            else:
                _bulk(made)
            seconds["copy"] = seconds.get("copy", 0) + time.perf_counter() - t0
            for key, n in made.counts.items():
                setattr(result, key, getattr(result, key) + n)
            log(f"  {result.enterprises:,} businesses ({time.perf_counter() - started:.0f} s)")
            t0 = time.perf_counter()
        if postgres:
            t0 = time.perf_counter()
            if replica:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
                # The replica role also kept the register's tally triggers from firing
                # (models/tally.py): count the new businesses into it, in this transaction.
                cursor.execute(
                    "INSERT INTO registry_enterprisetally (kecamatan_id, status, size_class, n)"
                    " SELECT kecamatan_id, status, size_class, count(*) FROM registry_enterprise"
                    " WHERE id >= %s GROUP BY 1, 2, 3",
                    [first_id],
                )
            # The unique indexes are constraints: built before the commit, so rows that break
            # one roll everything back.
            for index in dropped:
                if index.unique or not parallel:
                    cursor.execute(index.definition)
                else:
                    later.append(index)
            table = Enterprise._meta.db_table
            sql = "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {}))"
            cursor.execute(sql.format(table), [table])
            seconds["indexes"] = time.perf_counter() - t0
    if later:
        t0 = time.perf_counter()
        _build_indexes(later, connections=workers)
        seconds["indexes"] += time.perf_counter() - t0
    if postgres:
        log(f"  {len(dropped)} indexes rebuilt ({seconds['indexes']:.0f} s)")
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            for table, _columns in TABLES.values():
                # VACUUM too (when not inside a transaction, e.g. a test's): the visibility
                # map lets counts use index-only scans.
                vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                cursor.execute(f"{vacuum} {table}")
        seconds["analyze"] = time.perf_counter() - t0
    seconds["total"] = time.perf_counter() - started
    return result


_WORK: tuple = ()  # (Reference, taken NIK hashes), inherited by the forked workers


def _generate(tasks: list[tuple], workers: int) -> Iterator[Chunk]:
    """The chunks in order, made by ``workers`` forked processes while the caller writes; at
    most two chunks per process wait for the writer (memory stays flat at any count)."""
    if workers <= 1 or len(tasks) <= 1:
        yield from map(_make_chunk, tasks)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        queue = iter(tasks)
        pending = deque(pool.apply_async(_make_chunk, (t,)) for t in islice(queue, 2 * workers))
        while pending:
            made = pending.popleft().get()
            pending.extend(pool.apply_async(_make_chunk, (t,)) for t in islice(queue, 1))
            yield made


def _make_chunk(task) -> Chunk:
    started = time.process_time()
    seed, number, start, stop, first_id, ct = task
    ref, taken = _WORK
    gen = Generator(
        ref,
        seed=seed * 100_003 + number,
        first_id=first_id,
        content_type=ct,
        serial_prefix=number,
        hashes_taken=taken,
    )
    made = gen.chunk(start, stop)
    made.cpu_seconds = time.process_time() - started
    return made


def parse_copy(text: bytes, columns: list[str]) -> list[dict]:
    """The rows of COPY text as dicts of column → text (None for NULL)."""
    return [
        dict(zip(columns, (None if v == NULL else v for v in line.split("\t")), strict=True))
        for line in text.decode().splitlines()
    ]


def _bulk(made: Chunk) -> None:
    """The same rows through the ORM's bulk path (SQLite and other databases)."""
    for key, (_table, columns) in TABLES.items():
        model = {
            "enterprises": Enterprise,
            "products": Product,
            "certifications": Certification,
            "activity": ActivityLog,
            "history": FieldChange,
        }[key]
        fields = {f.attname: f for f in model._meta.concrete_fields}
        objects = []
        for row in parse_copy(getattr(made, key), columns):
            values = {c: v if v is None else fields[c].to_python(v) for c, v in row.items()}
            if "owner_nik" in values:  # the model field encrypts on save: give it the plain NIK
                values["owner_nik"] = decrypt_text(values["owner_nik"])
            if "data" in values:
                values["data"] = {}
            objects.append(model(**values))
        model.objects.bulk_create(objects, batch_size=500)
        # auto_now(_add) overwrote the generated times on insert: put them back.
        stamped = [
            f.attname
            for f in fields.values()
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        if stamped and objects and objects[0].pk is not None:
            for obj, row in zip(objects, parse_copy(getattr(made, key), columns), strict=True):
                for name in stamped:
                    setattr(obj, name, fields[name].to_python(row[name]))
            model.objects.bulk_update(objects, stamped, batch_size=500)
