from datetime import date

from django.core.files.base import ContentFile

from ikm_portal.core.demo import demo_user

from .choices import AgreementStatus, MemberRole, PartnerKind
from .models import Agreement, Partner, PartnerMember

SAMPOERNA = "PT HM Sampoerna Tbk"
AGREEMENT_NUMBER = "PKS/027/35.73.405/2026"


def minimal_pdf(text: str) -> bytes:
    """A small but well-formed one-page PDF, so the demo agreement has a document to open."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 760 Td ({safe}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def load_demo(stdout):
    partner, _ = Partner.objects.get_or_create(
        name=SAMPOERNA,
        defaults={
            "kind": PartnerKind.COMPANY,
            "description": "Program Efisiensi Produk untuk IKM Kota Malang; pelatihan di "
            "Pusat Pelatihan Kewirausahaan Sampoerna (PPK Sampoerna), Sukorejo, Pasuruan.",
            "address": "Jl. Rungkut Industri Raya No. 18, Surabaya, Jawa Timur",
            "contact_person": "Andi Prasetyo",
            "email": "csr@sampoerna.example",
            "phone": "+6281230000100",
            "website": "https://www.sampoerna.com",
        },
    )
    people = [
        ("mitra@demo.ikm.id", "Andi Prasetyo", MemberRole.MANAGER),
        ("reviewer@demo.ikm.id", "Dewi Lestari", MemberRole.REVIEWER),
        ("reviewer2@demo.ikm.id", "Rudi Hartono", MemberRole.REVIEWER),
        ("reviewer3@demo.ikm.id", "Siti Aminah", MemberRole.REVIEWER),
        ("reviewer4@demo.ikm.id", "Yoga Pratama", MemberRole.REVIEWER),
    ]
    for email, name, role in people:
        user = demo_user(email=email, full_name=name, role=role)
        PartnerMember.objects.get_or_create(user=user, defaults={"partner": partner, "role": role})

    if not Agreement.objects.filter(number=AGREEMENT_NUMBER).exists():
        agreement = Agreement(
            partner=partner,
            number=AGREEMENT_NUMBER,
            title="Kerjasama Kemitraan Program Efisiensi Produk untuk IKM Kota Malang",
            scope="Pelatihan dan pembinaan efisiensi produk bagi 100 IKM Kota Malang di PPK "
            "Sampoerna, Sukorejo, Pasuruan; pembinaan lanjutan bagi 20 IKM terpilih.",
            signed_on=date(2026, 4, 20),
            valid_from=date(2026, 4, 20),
            valid_to=date(2027, 12, 31),
            status=AgreementStatus.ACTIVE,
            document_name="perjanjian-kerja-sama-sampoerna.pdf",
        )
        agreement.document.save(
            "perjanjian.pdf",
            ContentFile(minimal_pdf(f"Perjanjian Kerja Sama {AGREEMENT_NUMBER}")),
            save=False,
        )
        agreement.save()

    # A second partner, so partner reviewers of another programme exist in the demo.
    other, _ = Partner.objects.get_or_create(
        name="Universitas Brawijaya — LPPM",
        defaults={
            "kind": PartnerKind.UNIVERSITY,
            "description": "Pendampingan desain kemasan dan pemasaran digital.",
            "contact_person": "Dr. Ratna Sari",
        },
    )
    user = demo_user(email="mitra-ub@demo.ikm.id", full_name="Ratna Sari", role=MemberRole.MANAGER)
    PartnerMember.objects.get_or_create(
        user=user, defaults={"partner": other, "role": MemberRole.MANAGER}
    )
    stdout.write(f"Partners: {Partner.objects.count()}, agreements: {Agreement.objects.count()}")
    logins = [(role.value, email) for email, _, role in people[:2]]
    logins.append((MemberRole.MANAGER.value, "mitra-ub@demo.ikm.id"))
    return logins
