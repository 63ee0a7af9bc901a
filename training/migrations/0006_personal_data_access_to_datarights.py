"""One personal-data access log for the whole portal: the partner views training logged in
PersonalDataAccess move into datarights.AccessLog (action partner_view), then the table goes."""

from django.db import migrations


def forwards(apps, schema_editor):
    Old = apps.get_model("training", "PersonalDataAccess")
    AccessLog = apps.get_model("datarights", "AccessLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Enterprise = apps.get_model("registry", "Enterprise")
    enterprise_ct, _ = ContentType.objects.get_or_create(app_label="registry", model="enterprise")
    application_ct, _ = ContentType.objects.get_or_create(
        app_label="training", model="application"
    )
    owners = {}
    batch = []
    rows = Old.objects.select_related("user", "partner", "application").order_by("pk")
    for row in rows.iterator(chunk_size=2000):
        if row.enterprise_id and row.enterprise_id not in owners:
            owners[row.enterprise_id] = (
                Enterprise.objects.filter(pk=row.enterprise_id)
                .values_list("owner_id", flat=True)
                .first()
            )
        batch.append(
            AccessLog(
                created_at=row.accessed_at,
                action="partner_view",
                channel=row.channel,
                actor_id=row.user_id,
                actor_name=(row.user.full_name if row.user_id else "")[:150],
                actor_email=row.user_email,
                organisation=row.partner.name if row.partner_id else "",
                subject_user_id=owners.get(row.enterprise_id),
                subject_name=row.subject_name,
                subject_type=enterprise_ct if row.enterprise_id else None,
                subject_id=row.enterprise_id,
                object_type=application_ct if row.application_id else None,
                object_id=row.application_id,
                path=row.path,
                details={
                    "program": row.application.program_id if row.application_id else None,
                    "partner": row.partner_id,
                },
            )
        )
        if len(batch) >= 2000:
            AccessLog.objects.bulk_create(batch)
            batch = []
    AccessLog.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0005_sharing_consents"),
        ("datarights", "0001_initial"),
        ("registry", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.DeleteModel(name="PersonalDataAccess"),
    ]
