"""application_transition_many: many applications' changes of status with the outcome of one
application_transition after another, in a number of queries that does not grow with them."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ikm_portal.core.exceptions import InvalidTransition
from ikm_portal.core.models import ActivityLog
from ikm_portal.notifications.models import Notification
from tests.factories import ApplicationFactory, UserFactory, VerifiedEnterpriseFactory
from training.choices import ApplicationStatus as S
from training.models import Application
from training.services import ApplicationChange, application_transition, application_transition_many

pytestmark = pytest.mark.django_db

_STAMP = re.compile(r"\d{4}-\d\d-\d\dT[\d:.+]+")


def make_applications(program, n: int) -> list[tuple[Application, list[tuple[str, str]]]]:
    """``n`` applications, each with the changes it goes through: submit, screen with a
    reason, review then select (two changes of one application), withdraw, and a no-op; a
    business without an owner account among them."""
    paths = [
        (S.DRAFT, [(S.SUBMITTED, "")]),
        (S.SUBMITTED, [(S.ELIGIBLE, "Memenuhi semua syarat.")]),
        (S.ELIGIBLE, [(S.IN_REVIEW, ""), (S.SELECTED, "Nilai tertinggi.")]),
        (S.IN_REVIEW, [(S.WITHDRAWN, "Dibatalkan pemilik.")]),
        (S.IN_REVIEW, [(S.IN_REVIEW, "")]),
    ]
    out = []
    for i in range(n):
        status, changes = paths[i % len(paths)]
        enterprise = (
            VerifiedEnterpriseFactory(owner=None)
            if i == 3
            else VerifiedEnterpriseFactory(owner=UserFactory(language="en" if i % 2 else "id"))
        )
        application = ApplicationFactory(program=program, enterprise=enterprise, status=status)
        out.append((application, changes))
    return out


def outcome(applications) -> dict:
    ids = [a.pk for a, _changes in applications]
    rows = {
        a["pk"]: a
        for a in Application.objects.filter(pk__in=ids).values(
            "pk", "status", "status_reason", "submitted_at", "withdrawn_at", "status_changed_at"
        )
    }
    for row in rows.values():
        # The moment differs between two runs; that it was set is what counts.
        row["status_changed_at"] = row["status_changed_at"] is not None
        row["withdrawn_at"] = row["withdrawn_at"] is not None
        row["submitted_at"] = row["submitted_at"] is not None
    logs = {}
    for log in ActivityLog.objects.filter(
        content_type__model="application", object_id__in=[str(i) for i in ids]
    ).order_by("created_at", "pk"):
        logs.setdefault(log.object_id, []).append(
            (log.actor_id, log.action, log.from_state, log.to_state, log.reason, log.data)
        )
    messages = sorted(
        (
            n.recipient_id,
            n.channel,
            _STAMP.sub("<when>", n.key),
            n.template,
            n.language,
            n.context,
            n.subject,
            n.body,
            n.status,
            n.object_id,
        )
        for n in Notification.objects.all()
    )
    return {"applications": rows, "logs": logs, "messages": messages}


def test_transition_many_equals_one_transition_after_another(
    program, staff, django_capture_on_commit_callbacks
):
    applications = make_applications(program, 10)
    sid = transaction.savepoint()
    with django_capture_on_commit_callbacks(execute=True):
        for application, changes in applications:
            for to, reason in changes:
                application_transition(
                    application=application, to=to, actor=staff, reason=reason, data={"k": 1}
                )
    expected = outcome(applications)
    transaction.savepoint_rollback(sid)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        changed = application_transition_many(
            changes=[
                ApplicationChange(application, to, reason, {"k": 1})
                for application, changes in applications
                for to, reason in changes
            ],
            actor=staff,
        )
    assert outcome(applications) == expected
    assert len(callbacks) == 1
    assert {pk: a.status for pk, a in changed.items()} == {
        a.pk: changes[-1][0] for a, changes in applications
    }
    # The transitions that happened are all there (the no-op is not).
    assert sum(len(entries) for entries in expected["logs"].values()) == 10


def test_transition_many_refused_change_writes_nothing(program, staff):
    applications = make_applications(program, 5)
    before = outcome(applications)
    draft = applications[0][0]
    with pytest.raises(InvalidTransition) as refused:
        application_transition_many(
            changes=[
                ApplicationChange(applications[1][0], S.ELIGIBLE, "Memenuhi."),
                ApplicationChange(draft, S.SELECTED, "Tidak boleh."),
            ],
            actor=staff,
        )
    with pytest.raises(InvalidTransition) as alone:
        application_transition(application=draft, to=S.SELECTED, actor=staff)
    assert str(refused.value) == str(alone.value)
    assert outcome(applications) == before
    assert not ActivityLog.objects.filter(content_type__model="application").exists()


def test_transition_many_queries_do_not_grow_with_the_applications(
    program, staff, django_capture_on_commit_callbacks
):
    def count(n):
        applications = make_applications(program, n)
        changes = [
            ApplicationChange(application, to, reason)
            for application, changes in applications
            for to, reason in changes
        ]
        with (
            django_capture_on_commit_callbacks(execute=False),
            CaptureQueriesContext(connection) as queries,
        ):
            application_transition_many(changes=changes, actor=staff)
        return len(queries)

    count(5)  # content types cached, as in a serving process
    assert count(5) == count(20)


def test_transition_many_nothing_to_do(program):
    assert application_transition_many(changes=[]) == {}
    (application, _changes) = make_applications(program, 1)[0]
    with pytest.raises(Application.DoesNotExist):
        application_transition_many(
            changes=[
                ApplicationChange(Application(pk=987654), S.SUBMITTED),
                ApplicationChange(application, S.SUBMITTED),
            ]
        )
