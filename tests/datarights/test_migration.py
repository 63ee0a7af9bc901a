"""training/0006 moves the partner-view log into datarights.AccessLog."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("training", "0005_sharing_consents"), ("datarights", "0001_initial")]
AFTER = [("training", "0006_personal_data_access_to_datarights")]


@pytest.mark.django_db(transaction=True)
def test_partner_views_move_into_the_access_log():
    executor = MigrationExecutor(connection)
    # The registry and partnerships stay where they are (their latest state is needed to write
    # rows); only training and datarights go back.
    before = [
        *BEFORE,
        *executor.loader.graph.leaf_nodes("registry"),
        *executor.loader.graph.leaf_nodes("partnerships"),
    ]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    User = old_apps.get_model("accounts", "User")
    Partner = old_apps.get_model("partnerships", "Partner")
    Enterprise = old_apps.get_model("registry", "Enterprise")
    Old = old_apps.get_model("training", "PersonalDataAccess")
    reviewer = User.objects.create(email="r@mitra.id", full_name="Rina Reviewer")
    owner = User.objects.create(email="o@ikm.id", full_name="Siti")
    partner = Partner.objects.create(name="PT Mitra Jaya")
    enterprise = Enterprise.objects.create(owner=owner, owner_name="Siti", name="Tempe Siti")
    when = timezone.now()
    Old.objects.create(
        accessed_at=when,
        user=reviewer,
        partner=partner,
        enterprise=enterprise,
        user_email="r@mitra.id",
        subject_name="Siti",
        channel="page_detail",
        path="/programs/applications/1/",
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new_apps = executor.loader.project_state(AFTER).apps
    AccessLog = new_apps.get_model("datarights", "AccessLog")
    row = AccessLog.objects.get()
    assert (
        row.created_at,
        row.action,
        row.actor_id,
        row.actor_name,
        row.organisation,
        row.subject_user_id,
        row.subject_id,
        row.channel,
    ) == (
        when,
        "partner_view",
        reviewer.pk,
        "Rina Reviewer",
        "PT Mitra Jaya",
        owner.pk,
        enterprise.pk,
        "page_detail",
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
