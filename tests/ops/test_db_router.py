import pytest

from ikm_portal.accounts.models import User
from ikm_portal.core import db_router
from ikm_portal.core.db_router import (
    ReplicaRouter,
    _task_postrun,
    _task_prerun,
    read_alias,
    reads_from_replica,
    replica_reads,
)


@pytest.fixture
def with_replica(monkeypatch):
    # Settings add the "replica" alias only with REPLICA_DATABASE_URL (tested in
    # test_settings_ops); here the router's decisions are tested as if it were configured.
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)


def test_reads_go_to_default_outside_a_report(with_replica):
    router = ReplicaRouter()
    assert router.db_for_read(User) == "default"
    assert router.db_for_write(User) == "default"


def test_reads_inside_a_report_go_to_the_replica_writes_do_not(with_replica):
    router = ReplicaRouter()
    with reads_from_replica():
        assert router.db_for_read(User) == "replica"
        assert router.db_for_write(User) == "default"
    assert router.db_for_read(User) == "default"


def test_decorated_report_reads_from_replica(with_replica):
    @replica_reads
    def report():
        return read_alias()

    assert report() == "replica"
    assert read_alias() == "default"


def test_without_a_replica_reports_read_default():
    with reads_from_replica():
        assert read_alias() == "default"


def test_replica_is_never_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate("replica", "registry") is False
    assert router.allow_migrate("default", "registry") is True


def test_task_on_reports_queue_reads_from_replica(with_replica):
    class Request:
        delivery_info = {"routing_key": "reports"}

    class Task:
        request = Request()

    _task_prerun(task_id="t1", task=Task())
    try:
        assert read_alias() == "replica"
    finally:
        _task_postrun(task_id="t1")
    assert read_alias() == "default"


def test_task_on_other_queue_reads_default(with_replica):
    class Request:
        delivery_info = {"routing_key": "notifications"}

    class Task:
        request = Request()

    _task_prerun(task_id="t2", task=Task())
    assert read_alias() == "default"
    _task_postrun(task_id="t2")
