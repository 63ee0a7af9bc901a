"""Reference and demo data of the registry (``manage.py load_demo``; ``make run``).

``load_reference``: Kota Malang's regions with postal codes, KBLI 2020 section C, and the office's
list of sentra. East Java's regions are shipped too but loaded only on request, for scale tests:
``python manage.py load_regions --bundled jatim``.

``load_demo``: about 200 businesses across Malang's kelurahan and sentra, written through the
services (so each has its history), three of them owned by the demo owner pemilik@demo.ikm.id.
Idempotent: a second run finds the demo records and adds nothing."""

import random

from django.conf import settings
from django.contrib.auth import get_user_model

from .choices import (
    CapacityUnit,
    CertificationKind,
    EnterpriseStatus,
    FacilitationKind,
    FacilitationStatus,
    Gender,
    HistorySource,
    KbliLevel,
    LegalForm,
    MarketingReach,
    RegionLevel,
    RegistrationSource,
)
from .models import Enterprise, Kbli, Region, Sentra
from .services import (
    enterprise_create,
    enterprise_request_revision,
    enterprise_submit,
    enterprise_transition,
    enterprise_verify,
)
from .services.records import facilitation_create
from .services.reference import (
    BUNDLED_KBLI,
    BUNDLED_POSTAL_CODES,
    BUNDLED_REGIONS,
    kbli_load,
    postal_codes_load,
    regions_load,
)

DEMO_COUNT = 200
DEMO_NIB_PREFIX = "91999"

# (sentra, kelurahan code, kind of product line)
SENTRA = [
    ("Sentra Keramik Dinoyo", "35.73.05.1004", "keramik"),
    ("Sentra Tempe dan Keripik Tempe Sanan", "35.73.01.1007", "tempe"),
    ("Sentra Rotan Balearjosari", "35.73.01.1001", "rotan"),
    ("Sentra Rotan Tasikmadu", "35.73.05.1012", "rotan"),
    ("Sentra Gerabah Penanggungan", "35.73.02.1011", "gerabah"),
    ("Sentra Mebel Tunjungsekar", "35.73.05.1008", "mebel"),
    ("Sentra Topeng Malangan Polowijen", "35.73.01.1003", "topeng"),
    ("Sentra Batik Blimbing", "35.73.01.1005", "batik"),
]

LINES = {
    "tempe": [
        ("10391", "Tempe kedelai", CapacityUnit.KG, "Kedelai"),
        ("10794", "Keripik tempe", CapacityUnit.KG, "Tempe, tepung beras, minyak goreng"),
    ],
    "keripik": [
        ("10794", "Keripik buah", CapacityUnit.KG, "Apel, nangka, salak"),
        ("10313", "Buah kering", CapacityUnit.KG, "Apel Malang"),
    ],
    "kue": [
        ("10710", "Kue kering", CapacityUnit.KG, "Tepung terigu, mentega, gula"),
        ("10710", "Roti manis", CapacityUnit.PCS, "Tepung terigu, ragi"),
    ],
    "minuman": [("11040", "Sari apel", CapacityUnit.LITER, "Apel Malang, gula")],
    "keramik": [
        ("23932", "Vas keramik", CapacityUnit.PCS, "Tanah liat, glasir"),
        ("23931", "Piring porselen hias", CapacityUnit.PCS, "Kaolin, glasir"),
    ],
    "gerabah": [("23932", "Gerabah dan pot tanah liat", CapacityUnit.PCS, "Tanah liat")],
    "rotan": [
        ("31002", "Kursi rotan", CapacityUnit.SET, "Rotan, paku, pernis"),
        ("16291", "Keranjang anyaman rotan", CapacityUnit.PCS, "Rotan"),
    ],
    "mebel": [("31001", "Lemari dan meja kayu", CapacityUnit.UNIT, "Kayu jati, kayu mahoni")],
    "topeng": [("16299", "Topeng Malangan", CapacityUnit.PCS, "Kayu pule, cat")],
    "batik": [("13134", "Kain batik tulis Malangan", CapacityUnit.M, "Kain mori, malam, pewarna")],
    "konveksi": [("14111", "Kaos dan seragam", CapacityUnit.LUSIN, "Kain katun")],
    "sepatu": [("15201", "Sandal dan sepatu", CapacityUnit.PASANG, "Kulit sintetis, karet")],
}
NAME_WORDS = {
    "tempe": ["Tempe", "Keripik Tempe"],
    "keripik": ["Keripik", "Camilan"],
    "kue": ["Kue", "Roti", "Bakery"],
    "minuman": ["Sari Apel", "Minuman"],
    "keramik": ["Keramik", "Art Keramik"],
    "gerabah": ["Gerabah", "Tembikar"],
    "rotan": ["Rotan", "Anyaman"],
    "mebel": ["Mebel", "Furniture"],
    "topeng": ["Topeng", "Sanggar Topeng"],
    "batik": ["Batik", "Batik Tulis"],
    "konveksi": ["Konveksi", "Garmen"],
    "sepatu": ["Sepatu", "Sandal"],
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
    "Arema",
    "Sumber Rezeki",
    "Mulya",
    "Berkah",
    "Indah",
    "Sari",
    "Maju",
]
FIRST = {
    Gender.MALE: [
        "Budi",
        "Agus",
        "Slamet",
        "Hadi",
        "Joko",
        "Eko",
        "Bambang",
        "Rudi",
        "Wahyu",
        "Sugeng",
        "Imam",
        "Teguh",
        "Yusuf",
        "Arif",
        "Dedi",
    ],
    Gender.FEMALE: [
        "Siti",
        "Sri",
        "Dewi",
        "Endang",
        "Ninik",
        "Yuli",
        "Rina",
        "Wulan",
        "Ani",
        "Lilik",
        "Tutik",
        "Nur",
        "Ratna",
        "Indah",
        "Kartini",
    ],
}
LAST = [
    "Santoso",
    "Wibowo",
    "Suryani",
    "Rahayu",
    "Hidayat",
    "Prasetyo",
    "Susanti",
    "Setiawan",
    "Lestari",
    "Kurniawan",
    "Wahyuni",
    "Purnomo",
    "Handayani",
    "Saputra",
    "Utami",
]


def load_reference(stdout):
    counts = regions_load(BUNDLED_REGIONS["malang"])
    postal_codes_load(BUNDLED_POSTAL_CODES)
    kbli = kbli_load(BUNDLED_KBLI, version="2020")
    created = 0
    for name, kelurahan, _kind in SENTRA:
        if Region.objects.filter(pk=kelurahan).exists():
            _sentra, was_created = Sentra.objects.get_or_create(
                name=name, defaults={"kelurahan_id": kelurahan}
            )
            created += was_created
    stdout.write(
        f"registry: {counts['total']} regions of Kota Malang, {kbli['total']} KBLI 2020 codes, "
        f"{Sentra.objects.count()} sentra ({created} new). East Java for scale tests: "
        "manage.py load_regions --bundled jatim"
    )


def _nik(rng: random.Random, gender: str) -> str:
    kecamatan = rng.choice(["357301", "357302", "357303", "357304", "357305", "350708", "357901"])
    day = rng.randint(1, 28) + (40 if gender == Gender.FEMALE else 0)
    return f"{kecamatan}{day:02d}{rng.randint(1, 12):02d}{rng.randint(60, 99):02d}{rng.randint(1, 9999):04d}"


def _figures(rng: random.Random) -> dict:
    # Most IKM are small; a few medium ones so the classes vary.
    size = rng.random()
    if size < 0.8:
        workers = rng.randint(1, 12)
        investment = rng.randrange(5, 400) * 1_000_000
    elif size < 0.95:
        workers = rng.randint(8, 19)
        investment = rng.randrange(1_000, 3_000) * 1_000_000
    else:
        workers = rng.randint(20, 60)
        investment = rng.randrange(1_500, 12_000) * 1_000_000
    female = rng.randint(0, workers)
    return {
        "workers_male": workers - female,
        "workers_female": female,
        "investment_idr": investment,
        "annual_turnover_idr": investment * rng.randint(2, 6),
    }


def _record(rng: random.Random, index: int, villages, sentra_by_name, kbli) -> dict:
    by_code = {v.code: v for v in villages}
    if index < 110:
        sentra_name, code, kind = SENTRA[index % len(SENTRA)]
        sentra = sentra_by_name.get(sentra_name)
        kelurahan = by_code.get(code, villages[index % len(villages)])
    else:
        kelurahan = villages[index % len(villages)]
        kind = rng.choice(
            [
                "tempe",
                "keripik",
                "kue",
                "minuman",
                "batik",
                "konveksi",
                "sepatu",
                "mebel",
                "keripik",
                "kue",
            ]
        )
        sentra = None
    gender = rng.choice([Gender.MALE, Gender.FEMALE, Gender.FEMALE])
    first = rng.choice(FIRST[gender])
    owner_name = f"{first} {rng.choice(LAST)}"
    name = f"{rng.choice(NAME_WORDS[kind])} {rng.choice(SUFFIXES)} {first}"
    legal = rng.choices(
        [
            LegalForm.PERORANGAN,
            LegalForm.UD,
            LegalForm.CV,
            LegalForm.PT_PERORANGAN,
            LegalForm.KOPERASI,
        ],
        weights=[50, 30, 10, 7, 3],
    )[0]
    code, product, unit, raw = rng.choice(LINES[kind])
    data = {
        "owner_name": owner_name,
        "owner_nik": _nik(rng, gender),
        "owner_gender": gender,
        "phone": f"+62813{31000000 + index * 7919 % 9000000:08d}",
        "email": "",
        "name": name,
        "brand": name.split(" ")[0] + " " + rng.choice(SUFFIXES) if rng.random() < 0.4 else "",
        "nib": f"{DEMO_NIB_PREFIX}{index + 1:08d}" if rng.random() < 0.6 else "",
        "npwp": "",
        "legal_form": legal,
        "year_established": rng.randint(1985, 2025),
        "sentra": sentra,
        "address": f"Jl. {rng.choice(['Mawar', 'Melati', 'Kenanga', 'Sanan', 'MT Haryono', 'Raya Dinoyo', 'Simpang Borobudur', 'Ikan Tombro', 'Candi Panggung'])} No. {rng.randint(1, 120)}",
        "rt_rw": f"{rng.randint(1, 12):03d}/{rng.randint(1, 8):03d}",
        "kelurahan": kelurahan,
        "postal_code": kelurahan.postal_code or "65100",
        **_figures(rng),
    }
    products = [
        {
            "kbli": kbli[code],
            "name": product,
            "capacity_per_year": rng.randrange(100, 20_000, 50),
            "capacity_unit": unit,
            "raw_materials": raw,
            "marketing_reach": rng.choices(
                [
                    MarketingReach.LOKAL,
                    MarketingReach.REGIONAL,
                    MarketingReach.NASIONAL,
                    MarketingReach.EKSPOR,
                ],
                weights=[40, 35, 20, 5],
            )[0],
        }
    ]
    certifications = []
    if kind in ("tempe", "keripik", "kue", "minuman") and rng.random() < 0.6:
        certifications.append(
            {"kind": CertificationKind.PIRT, "number": f"P-IRT {rng.randint(10**11, 10**12 - 1)}"}
        )
        if rng.random() < 0.5:
            certifications.append(
                {
                    "kind": CertificationKind.HALAL,
                    "number": f"ID35110000{rng.randint(100000, 999999)}",
                }
            )
    if rng.random() < 0.15:
        certifications.append(
            {"kind": CertificationKind.HAKI_MEREK, "number": f"IDM000{rng.randint(100000, 999999)}"}
        )
    return {"data": data, "products": products, "certifications": certifications}


def load_demo(stdout):
    if Enterprise.objects.filter(nib__startswith=DEMO_NIB_PREFIX).exists():
        stdout.write(
            f"registry: demo businesses already loaded ({Enterprise.objects.count()} in the register)"
        )
        return []
    User = get_user_model()
    staff = User.objects.filter(email__iexact="staf@demo.ikm.id").first()
    demo_owner = User.objects.filter(email__iexact="pemilik@demo.ikm.id").first()
    prefix = f"{settings.REGION_CODE}."
    villages = list(
        Region.objects.filter(
            level__in=[RegionLevel.KELURAHAN, RegionLevel.DESA], code__startswith=prefix
        ).order_by("code")
    )
    if not villages:
        stdout.write("registry: no kelurahan loaded; run load_reference first")
        return []
    kbli = {k.code: k for k in Kbli.objects.filter(version="2020", level=KbliLevel.CLASS)}
    sentra = {s.name: s for s in Sentra.objects.all()}
    rng = random.Random(2017)  # the programme opened on 20 April 2017

    statuses = (
        [EnterpriseStatus.VERIFIED] * 150
        + [EnterpriseStatus.SUBMITTED] * 25
        + [EnterpriseStatus.NEEDS_REVISION] * 8
        + [EnterpriseStatus.DRAFT] * 10
        + [EnterpriseStatus.REJECTED] * 3
        + [EnterpriseStatus.ARCHIVED] * 4
    )
    rng.shuffle(statuses)
    created = 0
    for index in range(DEMO_COUNT):
        record = _record(rng, index, villages, sentra, kbli)
        status = statuses[index]
        owner = None
        if demo_owner is not None and index in (0, 1, 2):
            owner = demo_owner
            status = [
                EnterpriseStatus.VERIFIED,
                EnterpriseStatus.NEEDS_REVISION,
                EnterpriseStatus.DRAFT,
            ][index]
            record["data"]["owner_name"] = demo_owner.full_name
            record["data"]["owner_gender"] = Gender.MALE
            record["data"]["owner_nik"] = f"35730512{index + 4:02d}850{index + 1:03d}"
            record["data"]["phone"] = demo_owner.phone or record["data"]["phone"]
            record["data"]["email"] = demo_owner.email
        source = (
            RegistrationSource.ONLINE
            if owner
            else rng.choice(
                [
                    RegistrationSource.WALK_IN,
                    RegistrationSource.IMPORT,
                    RegistrationSource.ENUMERATOR,
                ]
            )
        )
        enterprise = enterprise_create(
            actor=owner or staff,
            owner=owner,
            data=record["data"],
            products=record["products"],
            certifications=record["certifications"],
            source=source,
            history_source=HistorySource.SYSTEM if owner is None else HistorySource.PAGE,
            consent=True,
            draft_step=5 if status != EnterpriseStatus.DRAFT else rng.randint(1, 4),
        )
        created += 1
        if status == EnterpriseStatus.DRAFT:
            continue
        enterprise_submit(enterprise=enterprise, actor=owner or staff)
        if status == EnterpriseStatus.SUBMITTED:
            continue
        if status == EnterpriseStatus.NEEDS_REVISION:
            enterprise_request_revision(
                enterprise=enterprise,
                actor=staff,
                reason="Mohon lengkapi foto produk dan periksa kembali nilai investasi.",
            )
            continue
        if status == EnterpriseStatus.REJECTED:
            enterprise_transition(
                enterprise=enterprise,
                to_status=EnterpriseStatus.REJECTED,
                actor=staff,
                reason="Usaha perdagangan, bukan industri pengolahan.",
            )
            continue
        enterprise_verify(enterprise=enterprise, actor=staff)
        if status == EnterpriseStatus.ARCHIVED:
            enterprise_transition(
                enterprise=enterprise,
                to_status=EnterpriseStatus.ARCHIVED,
                actor=staff,
                reason="Usaha sudah tidak beroperasi.",
            )
        elif rng.random() < 0.2 and staff is not None:
            facilitation_create(
                enterprise=enterprise,
                actor=staff,
                kind=rng.choice(
                    [
                        FacilitationKind.NIB,
                        FacilitationKind.HALAL,
                        FacilitationKind.PIRT,
                        FacilitationKind.HAKI_MEREK,
                        FacilitationKind.EXHIBITION,
                    ]
                ),
                date=enterprise.created_at.date(),
                status=rng.choice([FacilitationStatus.PROSES, FacilitationStatus.SELESAI]),
                note="",
            )
    stdout.write(
        f"registry: {created} demo businesses across {len({v.pk for v in villages})} kelurahan and {len(sentra)} sentra"
    )
    return []
