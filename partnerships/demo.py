from ikm_portal.core.demo import demo_user

from .choices import MemberRole, PartnerKind
from .models import Partner, PartnerMember


def load_demo(stdout):
    partner, _ = Partner.objects.get_or_create(
        name="PT HM Sampoerna Tbk",
        defaults={
            "kind": PartnerKind.COMPANY,
            "description": "Program Efisiensi Produk untuk IKM Kota Malang; pelatihan di "
            "Pusat Pelatihan Kewirausahaan Sampoerna (PPK Sampoerna), Sukorejo, Pasuruan.",
        },
    )
    people = [
        ("mitra@demo.ikm.id", "Andi Prasetyo", MemberRole.MANAGER),
        ("reviewer@demo.ikm.id", "Dewi Lestari", MemberRole.REVIEWER),
    ]
    for email, name, role in people:
        user = demo_user(email=email, full_name=name, role=role)
        PartnerMember.objects.get_or_create(user=user, defaults={"partner": partner, "role": role})
    return [(role.value, email) for email, _, role in people]
