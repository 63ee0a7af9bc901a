import secrets

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ikm_portal.core.exceptions import ApplicationError
from ikm_portal.core.validators import normalize_phone

from ...choices import PARTNER_ROLES, Role
from ...services import user_create


class Command(BaseCommand):
    help = "Create a user of any role without prompts (for operators' scripts)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", required=True, help=", ".join(Role.values))
        parser.add_argument("--partner", help="partner organisation name (partner roles)")
        parser.add_argument("--password", help="default: a random password, printed once")
        parser.add_argument("--full-name", dest="full_name", default="")
        parser.add_argument("--phone", default="")

    def handle(self, *args, email, role, partner, password, full_name, phone, **options):
        if role not in Role.values:
            raise CommandError(f"Unknown role {role!r}. Choose one of: {', '.join(Role.values)}.")
        partner_obj = None
        if role in PARTNER_ROLES:
            if not partner:
                raise CommandError(f"Role {role} needs --partner NAME.")
            # Looked up by name through the app registry: the platform imports no domain app.
            Partner = apps.get_model("partnerships", "Partner")
            partner_obj = Partner.objects.filter(name__iexact=partner).first()
            if partner_obj is None:
                raise CommandError(f"Unknown partner {partner!r}. Create it first.")
        elif partner:
            raise CommandError("--partner is only for partner_manager and partner_reviewer.")
        if phone:
            try:
                phone = normalize_phone(phone)
            except ValidationError as exc:
                raise CommandError(exc.messages[0]) from exc
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        try:
            with transaction.atomic():
                user = user_create(
                    email=email,
                    password=password,
                    full_name=full_name or email.split("@")[0],
                    role=role,
                    phone=phone,
                )
                if partner_obj is not None:
                    Member = apps.get_model("partnerships", "PartnerMember")
                    Member.objects.create(user=user, partner=partner_obj, role=role)
        except ApplicationError as exc:
            messages = [str(m) for errs in exc.field_errors.values() for m in errs]
            raise CommandError(" ".join(messages) or str(exc.message)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {role} {user.email}"))
        if generated:
            self.stdout.write(f"Password: {password}")
