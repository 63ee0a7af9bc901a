"""The sharing consents already given on applications, recorded as the owners' consents for
"sharing with partner X for programme Y" (privacy app), so My consents lists them."""

from django.db import migrations


def backfill(apps, schema_editor):
    Application = apps.get_model("training", "Application")
    Consent = apps.get_model("privacy", "Consent")
    seen = set()
    rows = []
    qs = (
        Application.objects.filter(
            consent_at__isnull=False,
            program__partner__isnull=False,
            enterprise__owner__isnull=False,
        )
        .select_related("program", "program__partner", "enterprise")
        .order_by("-consent_at")
    )
    for a in qs.iterator():
        key = (a.enterprise.owner_id, f"training.program:{a.program_id}")
        if key in seen:
            continue
        seen.add(key)
        withdrawn = None if a.consent_share_with_partner else a.consent_withdrawn_at
        if not a.consent_share_with_partner and withdrawn is None:
            continue
        rows.append(
            Consent(
                user_id=a.enterprise.owner_id,
                purpose="partner_sharing",
                scope_key=key[1],
                scope_label=f"{a.program.partner.name} — {a.program.title}"[:300],
                scope_url=f"/programs/{a.program_id}/",
                notice_version=a.consent_version or "",
                given_at=a.consent_at,
                given_context="application",
                given_channel="page",
                withdrawn_at=withdrawn if withdrawn and withdrawn >= a.consent_at else None,
                withdrawn_context="application" if withdrawn else "",
                withdrawn_channel="page" if withdrawn else "",
            )
        )
    Consent.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0004_criterion_source"),
        ("privacy", "0002_first_notice"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
