from ikm_portal.core.demo import demo_user

from .choices import Role


def load_demo(stdout):
    users = [
        ("admin@demo.ikm.id", "Admin Dinas", Role.OFFICE_ADMIN, "+6281200000001"),
        ("staf@demo.ikm.id", "Sri Wahyuni", Role.OFFICE_STAFF, "+6281200000002"),
        ("pemilik@demo.ikm.id", "Budi Santoso", Role.IKM_OWNER, "+6281200000003"),
    ]
    for email, name, role, phone in users:
        demo_user(email=email, full_name=name, role=role, phone=phone)
    return [(role.value, email) for email, _, role, _ in users]
