"""Synthetic businesses at scale for benchmarks and load tests (``manage.py seed_scale``).

Realistic rather than random: Indonesian owner and business names, East Java's kelurahan and
desa from the bundled reference data, KBLI 2020 section C product lines, workers and investment
by size, the status mix of a working register with its dates and decision history. The same
``seed`` on the same database gives the same rows.

On PostgreSQL the rows go in with ``COPY`` after the secondary indexes are dropped; the indexes
are rebuilt afterwards (building an index once is much cheaper than maintaining it a million
times). Elsewhere (SQLite) ``bulk_create`` in batches does the same job more slowly."""

import datetime
import io
import multiprocessing
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from ikm_portal.core.crypto import decrypt_text, encrypt_text, keyed_hash

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
    "id",
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
CERTIFICATION_COLUMNS = ["id", "enterprise_id", "kind", "number", "expires_on"]
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


@dataclass
class Reference:
    villages: list[tuple[str, str, str]]  # (kelurahan code, kecamatan code, postal code)
    kbli: dict[str, int]  # KBLI 2020 class code → Kbli.id
    lines: dict[str, list[tuple]] = field(default_factory=dict)  # group → usable LINES


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


def _weighted(rng: random.Random, pairs):
    values = [v for v, _w in pairs]
    cum, total = [], 0
    for _v, w in pairs:
        total += w
        cum.append(total)

    def pick():
        return values[_bisect(cum, rng.random() * total)]

    return pick


def _bisect(cum, x):
    lo, hi = 0, len(cum)
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _ts(dt: datetime.datetime | None) -> str | None:
    return None if dt is None else dt.isoformat()


_DAYS: dict[int, str] = {}


def _tsf(dt: datetime.datetime | None) -> str | None:
    """isoformat() of a UTC time, about five times faster (the day's part is cached)."""
    if dt is None:
        return None
    key = dt.toordinal()
    day = _DAYS.get(key)
    if day is None:
        day = _DAYS[key] = dt.date().isoformat()
    return f"{day} {dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}+00"


class Generator:
    """Rows as tuples in the column orders above; one ``random.Random(seed)`` drives all."""

    def __init__(
        self, ref: Reference, *, seed: int, first_id: int, hashes_taken: set | None = None
    ):
        self.ref = ref
        self.rng = random.Random(seed)
        self.first_id = first_id
        self.niks: set[str] = set()
        self.hashes_taken = hashes_taken or set()  # keyed hashes of the NIKs already stored
        self.serial_prefix = 0
        self._keys: dict[str, str] = {}
        rng = self.rng
        groups = [(g, w) for g, w in GROUP_WEIGHTS.items() if g in ref.lines]
        self.pick_group = _weighted(rng, groups)
        self.pick_status = _weighted(rng, STATUS_WEIGHTS)
        self.pick_source = _weighted(rng, SOURCE_WEIGHTS)
        # Kota Malang (the first office) holds a larger share than any other kabupaten/kota.
        malang = [v for v in ref.villages if v[0].startswith("35.73.")]
        others = [v for v in ref.villages if not v[0].startswith("35.73.")] or malang
        self.malang, self.others = malang or others, others

    # random.randint and random.choice cost ten times random.random(): these are the hot path.
    def randint(self, a: int, b: int) -> int:
        return a + int(self.rng.random() * (b - a + 1))

    def choice(self, seq):
        return seq[int(self.rng.random() * len(seq))]

    def nik(self, kecamatan: str, gender: str, born: int) -> str:
        randint = self.randint
        region = kecamatan.replace(".", "")[:6].ljust(6, "0")
        while True:
            day = randint(1, 28) + (40 if gender == Gender.FEMALE else 0)
            serial = self.serial_prefix * 100 + randint(1, 99)
            nik = f"{region}{day:02d}{randint(1, 12):02d}{born % 100:02d}{serial:04d}"
            if nik not in self.niks and (
                not self.hashes_taken or keyed_hash(nik) not in self.hashes_taken
            ):
                self.niks.add(nik)
                return nik

    def name_key(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = name_key(name)
        return key

    def brand_word(self) -> str:
        choice = self.choice
        word = choice(SYLLABLES) + choice(SYLLABLES)
        if self.rng.random() < 0.5:
            word += choice(SYLLABLES)
        return word.capitalize()

    def enterprise(self, i: int):
        """(enterprise row, product rows without ids, certification rows, decisions)."""
        rng = self.rng
        randint, choice = self.randint, self.choice
        pk = self.first_id + i
        village = choice(self.malang) if rng.random() < 0.05 else choice(self.others)
        kelurahan, kecamatan, postal = village
        group = self.pick_group()
        lines = self.ref.lines[group]
        gender = Gender.FEMALE if rng.random() < 0.55 else Gender.MALE
        first = choice(FIRST[gender])
        owner_name = first if rng.random() < 0.15 else f"{first} {choice(LAST)}"
        born = randint(1955, 2003)
        nik = self.nik(kecamatan, gender, born)
        phone = f"+628{choice(OPERATORS)}{randint(1000000, 99999999)}"
        email = f"{first.lower()}{randint(1, 9999)}@gmail.com" if rng.random() < 0.3 else ""

        brand = ""
        r = rng.random()
        if r < 0.35:
            name = f"{choice(PREFIXES)}{choice(NAME_WORDS[group])} {choice(SUFFIXES)}"
        elif r < 0.6:
            brand = self.brand_word()
            name = f"{choice(PREFIXES)}{choice(NAME_WORDS[group])} {brand}"
        elif r < 0.8:
            name = (
                f"{choice(NAME_WORDS[group])} Bu {first}"
                if gender == Gender.FEMALE
                else (f"{choice(NAME_WORDS[group])} Pak {first}")
            )
        else:
            brand = self.brand_word()
            name = f"{choice(PREFIXES)}{choice(SUFFIXES)} {choice(SUFFIXES)}"
        if not brand and rng.random() < 0.3:
            brand = f"{self.brand_word()} {choice(NAME_WORDS[group]).split()[0]}"

        n_products = 1 if rng.random() < 0.6 else 2 if rng.random() < 0.75 else 3
        chosen = rng.sample(lines, min(n_products, len(lines)))
        status = self.pick_status()
        source = self.pick_source()
        created = EPOCH + datetime.timedelta(seconds=randint(0, SPAN_SECONDS))
        submitted = verified = changed = None
        reason = ""
        if status != S.DRAFT:
            submitted = created + datetime.timedelta(minutes=randint(5, 60 * 24 * 10))
            changed = submitted
        if status in (S.VERIFIED, S.ARCHIVED):
            verified = submitted + datetime.timedelta(hours=randint(2, 24 * 21))
            changed = verified
        if status == S.ARCHIVED:
            changed = verified + datetime.timedelta(days=randint(30, 700))
            reason = "Usaha sudah tidak beroperasi."
        elif status in (S.NEEDS_REVISION, S.REJECTED):
            changed = submitted + datetime.timedelta(hours=randint(2, 24 * 14))
            reason = choice(REVISION_REASONS if status == S.NEEDS_REVISION else REJECT_REASONS)
        updated = changed or created

        # Workers and money by size: most IKM are micro and small.
        r = rng.random()
        if r < 0.62:
            workers = randint(1, 4)
        elif r < 0.95:
            workers = randint(5, 19)
        else:
            workers = randint(20, 120)
        unspecified = 0
        if rng.random() < 0.1:
            male = female = 0
            unspecified = workers
        else:
            female = sum(1 for _ in range(min(workers, 8)) if rng.random() < 0.55)
            female = min(workers, round(female * workers / min(workers, 8)))
            male = workers - female
        scale = 1 if workers < 5 else 4 if workers < 20 else 30
        investment = round(rng.lognormvariate(17.0, 1.0) * scale, -4)
        investment = int(min(investment, 40_000_000_000))
        land = int(round(investment * rng.uniform(0.5, 3), -5)) if rng.random() < 0.5 else None
        modal = int(round(investment * rng.uniform(0.3, 1.2), -4))
        turnover = int(round(investment * rng.uniform(0.8, 4), -5))
        if status == S.DRAFT and rng.random() < 0.5:
            investment = land = modal = turnover = None
        size = size_class(workers=workers, investment_idr=investment)
        umkm = umkm_class(modal_usaha_idr=modal, annual_turnover_idr=turnover)

        has_nib = rng.random() < (0.7 if status in (S.VERIFIED, S.ARCHIVED) else 0.3)
        nib = f"{randint(1, 9)}{(pk * 2654435761) % 10**12:012d}" if has_nib else ""
        npwp = f"{randint(10**14, 10**15 - 1)}" if rng.random() < 0.2 else ""
        r = rng.random()
        legal = (
            LegalForm.PERORANGAN
            if r < 0.7
            else LegalForm.UD
            if r < 0.85
            else LegalForm.CV
            if r < 0.95
            else LegalForm.PT_PERORANGAN
            if r < 0.98
            else LegalForm.KOPERASI
        )
        year = max(1975, min(2026, created.year - int(rng.expovariate(1 / 6))))
        located = rng.random() < 0.7
        lat = f"{rng.uniform(-8.6, -6.9):.6f}" if located else None
        lon = f"{rng.uniform(111.1, 114.4):.6f}" if located else None
        consent = created if source == RegistrationSource.ONLINE else None
        row = (
            pk,
            _tsf(created),
            _tsf(updated),
            source,
            owner_name,
            encrypt_text(nik),
            keyed_hash(nik),
            gender,
            phone,
            email,
            name,
            self.name_key(name),
            brand,
            product_names_of(line[2] for line in chosen),
            nib,
            npwp,
            legal,
            year,
            f"Jl. {choice(STREETS)} No. {randint(1, 250)}",
            f"{randint(1, 15):03d}/{randint(1, 12):03d}",
            postal,
            lat,
            lon,
            male,
            female,
            unspecified,
            workers,
            investment,
            land,
            turnover,
            modal,
            size.value,
            size.rule,
            umkm.value,
            umkm.rule,
            status,
            reason,
            _tsf(changed),
            _tsf(submitted),
            _tsf(verified),
            randint(1, 4) if status == S.DRAFT else 5,
            "2026-11" if consent else "",
            _tsf(consent),
            kecamatan,
            kelurahan,
        )

        products = []
        for position, line in enumerate(chosen):
            _group, code, product, unit, materials = line
            reach = (
                MarketingReach.LOKAL
                if rng.random() < 0.6
                else MarketingReach.REGIONAL
                if rng.random() < 0.8
                else MarketingReach.NASIONAL
                if rng.random() < 0.9
                else MarketingReach.EKSPOR
            )
            capacity = f"{randint(1, 500) * 10 * scale}.00"
            products.append(
                (
                    pk,
                    self.ref.kbli[code],
                    code,
                    "2020",
                    product,
                    capacity,
                    unit,
                    materials,
                    reach,
                    position,
                )
            )
        certifications = []
        if rng.random() < 0.3:
            kind = (
                CertificationKind.PIRT
                if group in ("tempe", "keripik", "kue", "sambal")
                else (choice([CertificationKind.HALAL, CertificationKind.HAKI_MEREK]))
            )
            expires = created.date() + datetime.timedelta(days=randint(365, 5 * 365))
            certifications.append((pk, kind, f"{randint(10**9, 10**10 - 1)}", expires.isoformat()))

        decisions = []  # (time, action, from, to, reason)
        if submitted:
            decisions.append((submitted, "enterprise.submit", S.DRAFT, S.SUBMITTED, ""))
        if status == S.NEEDS_REVISION:
            decisions.append((changed, "enterprise.request_revision", S.SUBMITTED, status, reason))
        elif status == S.REJECTED:
            decisions.append((changed, "enterprise.reject", S.SUBMITTED, status, reason))
        elif status in (S.VERIFIED, S.ARCHIVED):
            decisions.append((verified, "enterprise.verify", S.SUBMITTED, S.VERIFIED, ""))
            if status == S.ARCHIVED:
                decisions.append((changed, "enterprise.archive", S.VERIFIED, status, reason))
        history = []
        if status == S.VERIFIED and rng.random() < 0.05:
            new_phone = f"+628{choice(OPERATORS)}{randint(1000000, 99999999)}"
            history.append((verified, "phone", phone, new_phone))
        return row, products, certifications, decisions, history


# --- Writing ---------------------------------------------------------------------------------


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    return str(value)


def _copy(cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    buf = io.StringIO()
    buf.write("\n".join("\t".join(map(_copy_text, r)) for r in rows))
    buf.write("\n")
    buf.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)


def _secondary_indexes(cursor, tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX …) of indexes that back no constraint (not the primary keys)."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
        ORDER BY i.relname
        """,
        [tables],
    )
    return cursor.fetchall()


def _try(cursor, sql: str) -> bool:
    """Run ``sql`` in a savepoint; False when the role may not (e.g. not a superuser)."""
    from django.db import DatabaseError

    try:
        with transaction.atomic():
            cursor.execute(sql)
    except DatabaseError:
        return False
    return True


TABLES = {
    "enterprise": Enterprise._meta.db_table,
    "product": Product._meta.db_table,
    "certification": Certification._meta.db_table,
    "history": FieldChange._meta.db_table,
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
    from ikm_portal.core.models import ActivityLog

    ref = load_reference()
    first_id = (Enterprise.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    taken = set(
        Enterprise.objects.exclude(owner_nik_hash="").values_list("owner_nik_hash", flat=True)
    )
    result = Seeded(first_id=first_id)
    ct = ContentType.objects.get_for_model(Enterprise).pk
    activity_table = ActivityLog._meta.db_table
    postgres = connection.vendor == "postgresql"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        dropped = []
        if postgres:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
            replica = _try(cursor, "SET LOCAL session_replication_role = replica")
            tables = [*TABLES.values(), activity_table]
            dropped = _secondary_indexes(cursor, tables)
            for name, _definition in dropped:
                cursor.execute(f'DROP INDEX "{name}"')
        next_product = (
            Product.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        next_cert = (
            Certification.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        tasks = [
            (seed, n, start, min(count, start + chunk), first_id, ct)
            for n, start in enumerate(range(0, count, chunk))
        ]
        global _WORK
        _WORK = (ref, taken)
        t0 = time.perf_counter()
        pool = None
        if workers > 1 and len(tasks) > 1:
            pool = multiprocessing.get_context("fork").Pool(workers)
            chunks = pool.imap(_make_chunk, tasks)
        else:
            chunks = map(_make_chunk, tasks)
        for e_rows, products, certs, a_rows, h_rows in chunks:
            result.seconds["generate"] = (
                result.seconds.get("generate", 0) + time.perf_counter() - t0
            )
            p_rows = [(next_product + k, *p) for k, p in enumerate(products)]
            next_product += len(p_rows)
            c_rows = [(next_cert + k, *c) for k, c in enumerate(certs)]
            next_cert += len(c_rows)
            t0 = time.perf_counter()
            if postgres:
                _copy(cursor, TABLES["enterprise"], ENTERPRISE_COLUMNS, e_rows)
                _copy(cursor, TABLES["product"], PRODUCT_COLUMNS, p_rows)
                _copy(cursor, TABLES["certification"], CERTIFICATION_COLUMNS, c_rows)
                _copy(cursor, activity_table, ACTIVITY_COLUMNS, a_rows)
                _copy(cursor, TABLES["history"], HISTORY_COLUMNS, h_rows)
            else:
                _bulk(e_rows, p_rows, c_rows, a_rows, h_rows)
            result.seconds["write"] = result.seconds.get("write", 0) + time.perf_counter() - t0
            result.enterprises += len(e_rows)
            result.products += len(p_rows)
            result.certifications += len(c_rows)
            result.activity += len(a_rows)
            result.history += len(h_rows)
            log(f"  {result.enterprises:,} businesses ({time.perf_counter() - started:.0f} s)")
            t0 = time.perf_counter()
        if pool is not None:
            pool.close()
            pool.join()
        if postgres:
            t0 = time.perf_counter()
            if replica:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            else:  # the foreign-key checks queued by COPY must run before CREATE INDEX
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _name, definition in dropped:
                cursor.execute(definition)
            for table in ("enterprise", "product", "certification"):
                sql = "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {}))"
                cursor.execute(sql.format(TABLES[table]), [TABLES[table]])
            result.seconds["indexes"] = time.perf_counter() - t0
            log(f"  {len(dropped)} indexes rebuilt ({result.seconds['indexes']:.0f} s)")
    if postgres:
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            for table in [*TABLES.values(), activity_table]:
                # VACUUM too (when not inside a transaction, e.g. a test's): the visibility
                # map lets counts use index-only scans.
                vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                cursor.execute(f"{vacuum} {table}")
        result.seconds["analyze"] = time.perf_counter() - t0
    result.seconds["total"] = time.perf_counter() - started
    return result


_WORK: tuple = ()  # (Reference, taken NIK hashes), inherited by the forked workers


def _make_chunk(task):
    seed, number, start, stop, first_id, ct = task
    ref, taken = _WORK
    gen = Generator(ref, seed=seed * 100_003 + number, first_id=first_id, hashes_taken=taken)
    # NIKs of different chunks differ in their serial's first two digits (a generator keeps
    # its own chunk's unique; chunks 100 apart could repeat one, with a different name).
    gen.serial_prefix = number % 100
    e_rows, products, certs, a_rows, h_rows = [], [], [], [], []
    for i in range(start, stop):
        row, item_products, item_certs, decisions, history = gen.enterprise(i)
        e_rows.append(row)
        products.extend(item_products)
        certs.extend(item_certs)
        pk = str(row[0])
        for when, action, from_state, to_state, reason in decisions:
            a_rows.append((_ts(when), ct, pk, action, from_state, to_state, reason, "{}"))
        for when, field_name, old, new in history:
            batch = f"{gen.rng.getrandbits(128):032x}"
            h_rows.append((row[0], batch, _ts(when), HistorySource.PAGE, field_name, old, new))
    return e_rows, products, certs, a_rows, h_rows


def _bulk(e_rows, p_rows, c_rows, a_rows, h_rows) -> None:
    """The same rows through the ORM's bulk path (SQLite and other databases)."""
    from ikm_portal.core.models import ActivityLog

    parse = datetime.datetime.fromisoformat
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                **{
                    # the model field encrypts on save: give it the plain NIK back
                    c: (
                        parse(v)
                        if v and c.endswith("_at")
                        else decrypt_text(v)
                        if v and c == "owner_nik"
                        else v
                    )
                    for c, v in zip(ENTERPRISE_COLUMNS, r, strict=True)
                }
            )
            for r in e_rows
        ],
        batch_size=500,
    )
    Product.objects.bulk_create(
        [Product(**dict(zip(PRODUCT_COLUMNS, r, strict=True))) for r in p_rows], batch_size=500
    )
    Certification.objects.bulk_create(
        [Certification(**dict(zip(CERTIFICATION_COLUMNS, r, strict=True))) for r in c_rows],
        batch_size=500,
    )
    logs = ActivityLog.objects.bulk_create(
        [
            ActivityLog(
                **{
                    c: (parse(v) if c == "created_at" else {} if c == "data" else v)
                    for c, v in zip(ACTIVITY_COLUMNS, r, strict=True)
                }
            )
            for r in a_rows
        ],
        batch_size=500,
    )
    # auto_now_add overwrote the decision times on insert: put them back.
    for log_row, r in zip(logs, a_rows, strict=True):
        log_row.created_at = parse(r[0])
    ActivityLog.objects.bulk_update(logs, ["created_at"], batch_size=500)
    changes = FieldChange.objects.bulk_create(
        [
            FieldChange(
                **{
                    c: (parse(v) if c == "changed_at" else v)
                    for c, v in zip(HISTORY_COLUMNS, r, strict=True)
                }
            )
            for r in h_rows
        ],
        batch_size=500,
    )
    for change, r in zip(changes, h_rows, strict=True):
        change.changed_at = parse(r[2])
    FieldChange.objects.bulk_update(changes, ["changed_at"], batch_size=500)


def iter_chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
