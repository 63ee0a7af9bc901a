"""`make backup` / `make restore` end to end: dump the test data and its media, restore them into
a NEW database and media folder, and check the portal serves the same data from the copy."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import EnterpriseFactory, PartnerMemberFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "deploy" / "scripts"
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def database_url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def run(args, **env) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHON": sys.executable, **env}
    return subprocess.run(args, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=300)


def fingerprint(db_url: str, media_root: Path) -> dict:
    result = run(
        [sys.executable, "-m", "tests.ops.fingerprint"],
        DATABASE_URL=db_url,
        MEDIA_ROOT=str(media_root),
        DJANGO_SETTINGS_MODULE="ikm_portal.settings.test",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def drop_database(name: str) -> None:
    admin_url = database_url("postgres")
    subprocess.run(
        ["psql", admin_url, "-X", "-q", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def portal_data(tmp_path):
    media = tmp_path / "media"
    (media / "agreements").mkdir(parents=True)
    (media / "agreements" / "mou-2026.pdf").write_bytes(b"%PDF-1.4 signed agreement\n")
    (media / "products" / "tempe.jpg").parent.mkdir()
    (media / "products" / "tempe.jpg").write_bytes(os.urandom(2048))
    UserFactory(role="office_admin", email="admin@example.id", is_staff=True)
    UserFactory(role="office_staff", email="staf@example.id")
    PartnerMemberFactory(role="partner_manager")
    EnterpriseFactory()
    EnterpriseFactory(verified=True)
    return media


def test_backup_restored_into_new_database_serves_the_same_data(portal_data, tmp_path):
    source_url = database_url(connection.settings_dict["NAME"])
    backups = tmp_path / "backups"
    backup = run(
        [str(SCRIPTS / "backup.sh")],
        DATABASE_URL=source_url,
        MEDIA_ROOT=str(portal_data),
        BACKUP_DIR=str(backups),
    )
    assert backup.returncode == 0, backup.stderr
    dump, media_tar = backup.stdout.split()
    assert Path(dump).name.startswith("ikm-db-") and dump.endswith(".dump")
    assert Path(media_tar).name.startswith("ikm-media-") and media_tar.endswith(".tar.gz")
    assert len(list(backups.glob("ikm-*.sha256"))) == 1

    target = f"ikm_restore_{uuid.uuid4().hex[:10]}"
    target_url = database_url(target)
    restored_media = tmp_path / "restored-media"
    try:
        restore = run(
            [str(SCRIPTS / "restore.sh"), dump, media_tar],
            TARGET_DATABASE_URL=target_url,
            RESTORE_MEDIA_ROOT=str(restored_media),
        )
        assert restore.returncode == 0, restore.stderr

        original = fingerprint(source_url, portal_data)
        copy = fingerprint(target_url, restored_media)
        assert copy == original
        assert original["models"]["registry.Enterprise"]["count"] == 2
        assert original["models"]["accounts.User"]["count"] == 5
        assert original["me"]["admin@example.id"][1]["roles"] == ["office_admin"]
        assert sorted(original["media"]) == ["agreements/mou-2026.pdf", "products/tempe.jpg"]

        # A second restore onto the now populated database is refused without FORCE=1.
        again = run(
            [str(SCRIPTS / "restore.sh"), dump],
            TARGET_DATABASE_URL=target_url,
            RESTORE_MEDIA_ROOT=str(restored_media),
        )
        assert again.returncode == 1
        assert f"database {target} already holds" in again.stderr
        forced = run(
            [str(SCRIPTS / "restore.sh"), dump, media_tar],
            TARGET_DATABASE_URL=target_url,
            RESTORE_MEDIA_ROOT=str(restored_media),
            FORCE="1",
        )
        assert forced.returncode == 0, forced.stderr
        assert fingerprint(target_url, restored_media) == original
    finally:
        drop_database(target)


def test_restore_refuses_a_corrupted_dump(portal_data, tmp_path):
    backups = tmp_path / "backups"
    backup = run(
        [str(SCRIPTS / "backup.sh")],
        DATABASE_URL=database_url(connection.settings_dict["NAME"]),
        MEDIA_ROOT=str(portal_data),
        BACKUP_DIR=str(backups),
    )
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.split()[0])
    with dump.open("ab") as fh:
        fh.write(b"tampered")
    target = f"ikm_restore_{uuid.uuid4().hex[:10]}"
    result = run([str(SCRIPTS / "restore.sh"), str(dump)], TARGET_DATABASE_URL=database_url(target))
    assert result.returncode == 1
    assert "checksum mismatch" in result.stderr
    drop_database(target)


def test_backup_of_sqlite_is_refused_with_a_reason(tmp_path):
    result = run(
        [str(SCRIPTS / "backup.sh")],
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        BACKUP_DIR=str(tmp_path),
    )
    assert result.returncode == 1
    assert "backups need PostgreSQL" in result.stderr
