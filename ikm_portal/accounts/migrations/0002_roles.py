from django.db import migrations

ROLES = ["office_admin", "office_staff", "ikm_owner", "partner_manager", "partner_reviewer"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    # Permissions are attached by accounts.roles.sync_roles after every migrate, once every
    # app's permissions exist.


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
