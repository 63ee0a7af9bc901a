"""Publishing in bulk: the same rows, statuses, reasons, log entries and messages as publishing
one applicant at a time (the implementation before issue 9, kept here as the reference), in a
number of queries that does not grow with the applicants."""

import json
import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ikm_portal.core.exceptions import InvalidTransition
from ikm_portal.core.models import ActivityLog
from ikm_portal.core.services import activity_log
from ikm_portal.notifications.models import Notification, NotificationPreference
from tests.factories import (
    ApplicationFactory,
    ProgramFactory,
    ReviewFactory,
    StageSettingsFactory,
    VerifiedEnterpriseFactory,
    partner_reviewer,
)
from training.choices import ApplicationStatus
from training.models import Application, Stage
from training.selection import services
from training.selection.choices import (
    APPLICATION_STATUS_OF,
    PUBLISHED_DECISIONS,
    Decision,
    ReviewStatus,
    RunStatus,
)
from training.selection.models import SelectionRun, StageDecision
from training.selection.permissions import can_publish
from training.services import application_transition

pytestmark = pytest.mark.django_db


def make_stage(n: int, *, seed: int = 0):
    """A first stage of a new programme with ``n`` applicants: two submitted reviews each but
    the last (no score), every third still eligible, a track quota, a waitlist; among the
    owners an English speaker every fourth, one who turned e-mail off, one inactive, and a
    business without an owner account."""
    program = ProgramFactory(with_setup=True)
    stage = program.stages.get(order=1)
    stage.seats = max(2, n // 4)
    stage.save(update_fields=["seats"])
    StageSettingsFactory(stage=stage)
    services.rubric_ensure_default(stage=stage)
    tracks = list(program.tracks.order_by("position"))
    config = services.stage_settings_get(stage)
    config.waitlist_length = max(2, n // 5)
    config.use_track_seats = True
    config.track_seats = {str(tracks[0].pk): max(1, n // 8), str(tracks[1].pk): n}
    config.save()
    reviewers = [partner_reviewer(program) for _ in range(2)]
    base = timezone.now() - timedelta(days=5)
    applications = []
    for i in range(n):
        enterprise = VerifiedEnterpriseFactory(owner=None) if i == n - 2 else None
        enterprise = enterprise or VerifiedEnterpriseFactory(
            owner__language="en" if i % 4 == 1 else "id"
        )
        application = ApplicationFactory(
            program=program,
            enterprise=enterprise,
            status=ApplicationStatus.ELIGIBLE if i % 3 == 0 else ApplicationStatus.IN_REVIEW,
            submitted_at=base + timedelta(minutes=i),
            tracks=[tracks[i % 2], tracks[(i + 1) % 2]],
        )
        applications.append(application)
        if i == n - 1:
            continue  # no review: not selected, no score
        for k, reviewer in enumerate(reviewers):
            ReviewFactory(
                stage=stage,
                application=application,
                reviewer=reviewer,
                status=ReviewStatus.SUBMITTED,
                total=Decimal(40 + (i * 37 + k * 11 + seed) % 60),
                submitted_at=timezone.now(),
            )
    owners = [a.enterprise.owner for a in applications if a.enterprise.owner is not None]
    NotificationPreference.objects.create(user=owners[0], email=False)
    owners[1].is_active = False
    owners[1].save(update_fields=["is_active"])
    return stage, applications


def publish_one_by_one(*, stage, actor, now=None):
    """``selection_publish`` as it was before issue 9: one decision, transition, log entry and
    message at a time. The reference the bulk path must equal."""
    with transaction.atomic():
        if not can_publish(actor, stage.program):
            raise InvalidTransition("Only the office publishes decisions.")
        now = now or timezone.now()
        stage = (
            Stage.objects.select_for_update(of=("self",)).select_related("program").get(pk=stage.pk)
        )
        services._check_not_published(stage)
        services._check_previous_published(stage)
        run = stage.selection_runs.filter(status=RunStatus.PREVIEW).select_for_update().first()
        candidates = services.selection_candidates(stage)
        if run is None:
            run = services._stage_preview(
                stage,
                actor,
                services._default_seed(stage),
                services.selection_params(stage),
                None,
            )
        elif run.candidates != candidates or run.adjustments != services._adjustments_of(stage):
            raise services.StalePreview()
        config = services.stage_settings_get(stage)
        deadline = services._deadline_for(stage, config, now)
        applications = {
            a.pk: a
            for a in Application.objects.select_related(
                "enterprise", "enterprise__owner", "program"
            ).filter(pk__in=[r["application"] for r in run.results])
        }
        of = len(run.results)
        for row in run.results:
            application = applications[row["application"]]
            decision = row["decision"]
            score = row["score"]
            obj = StageDecision.objects.create(
                stage=stage,
                application=application,
                run=run,
                status=decision,
                published_decision=decision,
                track_id=row["track"] if decision != Decision.NOT_SELECTED else None,
                score=Decimal(str(score)).quantize(Decimal("0.01")) if score is not None else None,
                review_count=row["review_count"],
                rank=row["rank"],
                rank_of=of,
                reason=row["reason"],
                reason_note=row["note"],
                waitlist_position=row["waitlist_position"],
                response_deadline=deadline if decision == Decision.SELECTED else None,
                status_changed_at=now,
            )
            if stage.order == 1:
                if application.status == ApplicationStatus.ELIGIBLE:
                    application_transition(
                        application=application, to=ApplicationStatus.IN_REVIEW, actor=actor
                    )
                application_transition(
                    application=application,
                    to=APPLICATION_STATUS_OF[decision],
                    actor=actor,
                    reason=services._reason_for_owner(obj, application),
                    data={"stage": stage.order, "run": run.pk},
                )
            activity_log(
                target=obj,
                action=f"selection.{decision}",
                actor=actor,
                to_state=decision,
                reason=row["note"] or row["reason"],
                data={"run": run.pk, "rank": row["rank"], "score": score},
            )
            services._notify_decision(obj, application, template=f"selection_{decision}")
        run.status = RunStatus.PUBLISHED
        run.published_by = actor
        run.published_at = now
        run.save(update_fields=["status", "published_by", "published_at"])
        counts = Counter(r["decision"] for r in run.results)
        activity_log(
            target=stage,
            action="selection.published",
            actor=actor,
            data={"run": run.pk, **{k: counts.get(k, 0) for k in PUBLISHED_DECISIONS}},
        )
        return run


_STAMP = re.compile(r"\d{4}-\d\d-\d\dT[\d:.+]+")


def outcome(stage, applications) -> dict:
    """Everything a publish writes, with the database ids (which differ between two runs)
    replaced by the application they concern, and the moment of a status change (part of a
    message key) by a placeholder."""
    app_ids = [a.pk for a in applications]
    decisions = {
        d.pk: d for d in StageDecision.objects.filter(stage=stage).order_by("application_id")
    }
    of_decision = {str(pk): d.application_id for pk, d in decisions.items()}

    def target(content_type, object_id):
        model = content_type.model
        if model == "stagedecision":
            return ("decision", of_decision[object_id])
        return (model, object_id if model != "application" else int(object_id))

    def per_application(pairs):
        out = {}
        for key, value in pairs:
            out.setdefault(key, []).append(value)
        return out

    logs = per_application(
        (
            target(log.content_type, log.object_id),
            (log.actor_id, log.action, log.from_state, log.to_state, log.reason, log.data),
        )
        for log in ActivityLog.objects.select_related("content_type").order_by("created_at", "pk")
        if log.content_type.model in ("stagedecision", "application", "stage")
    )
    for entries in logs.values():
        for entry in entries:
            entry[5].pop("run", None)
    messages = per_application(
        (
            (n.recipient_id, n.channel, _STAMP.sub("<when>", n.key)),
            (
                n.address,
                n.template,
                n.language,
                json.dumps(n.context, sort_keys=True),
                n.subject,
                n.body,
                n.body_html,
                n.status,
                n.last_error,
                target(n.content_type, n.object_id),
            ),
        )
        for n in Notification.objects.select_related("content_type").order_by("pk")
    )
    return {
        "decisions": [
            (
                d.application_id,
                d.status,
                d.published_decision,
                d.track_id,
                d.score,
                d.review_count,
                d.rank,
                d.rank_of,
                d.reason,
                d.reason_note,
                d.waitlist_position,
                d.response_deadline is not None,
            )
            for d in decisions.values()
        ],
        "applications": list(
            Application.objects.filter(pk__in=app_ids)
            .order_by("pk")
            .values_list("pk", "status", "status_reason", "submitted_at", "withdrawn_at")
        ),
        "logs": logs,
        "messages": messages,
        "run": list(
            SelectionRun.objects.filter(stage=stage, status=RunStatus.PUBLISHED).values_list(
                "seed", "results", "published_by"
            )
        ),
    }


@pytest.mark.parametrize("with_preview", [True, False])
def test_publish_in_bulk_equals_publishing_one_applicant_at_a_time(
    staff, with_preview, django_capture_on_commit_callbacks
):
    stage, applications = make_stage(14)
    if with_preview:
        services.selection_preview(stage=stage, actor=staff)
        services.selection_adjust(
            stage=stage,
            actor=staff,
            application=applications[-1],
            decision=Decision.WAITLISTED,
            reason="Menunggu kelengkapan NIB.",
        )
    now = timezone.now()
    sid = transaction.savepoint()
    with django_capture_on_commit_callbacks(execute=False) as reference_callbacks:
        publish_one_by_one(stage=stage, actor=staff, now=now)
    expected = outcome(stage, applications)
    transaction.savepoint_rollback(sid)
    assert not StageDecision.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.selection_publish(stage=stage, actor=staff, now=now)
    got = outcome(stage, applications)

    assert got == expected
    # Sanity: the scenario has every kind of decision and both transitions.
    assert {d[1] for d in got["decisions"]} == set(PUBLISHED_DECISIONS)
    assert any(
        entry[1] == "application.review" for entries in got["logs"].values() for entry in entries
    )
    assert run.status == RunStatus.PUBLISHED
    # The messages waiting for delivery are handed over after commit: one hand-over for the
    # in-review messages of the applications' transitions, one for the decisions (one per
    # applicant before).
    assert len(callbacks) == 2
    assert len(reference_callbacks) > 2
    queued = Notification.objects.filter(status="queued", channel="email").count()
    assert queued > 0


def test_publish_delivers_every_message_on_commit(staff, django_capture_on_commit_callbacks):
    stage, _applications = make_stage(6)
    with django_capture_on_commit_callbacks(execute=True):
        services.selection_publish(stage=stage, actor=staff)
    assert not Notification.objects.filter(status="queued", channel="email").exists()
    assert Notification.objects.filter(status="sent", channel="email").count() == (
        Notification.objects.filter(channel="email").count()
    )


def test_publish_queries_do_not_grow_with_the_applicants(staff, django_capture_on_commit_callbacks):
    def statements(n):
        stage, _applications = make_stage(n)
        services.selection_preview(stage=stage, actor=staff)
        with (
            django_capture_on_commit_callbacks(execute=False),
            CaptureQueriesContext(connection) as queries,
        ):
            services.selection_publish(stage=stage, actor=staff)
        return [q["sql"] for q in queries.captured_queries]

    statements(3)  # content types cached, as in a serving process
    small, large = statements(10), statements(50)
    if connection.vendor == "postgresql":
        assert len(small) == len(large)
    # SQLite takes at most 999 parameters a statement, so Django splits a bulk insert of many
    # rows into several INSERTs: counted as one insert of that table.
    assert len(_inserts_merged(small)) == len(_inserts_merged(large))
    assert len(_inserts_merged(large)) <= 40


_INSERT = re.compile(r'^INSERT (?:OR IGNORE )?INTO "\w+"')


def _inserts_merged(sqls: list[str]) -> list[str]:
    out: list[str] = []
    for sql in sqls:
        insert = _INSERT.match(sql)
        head = insert.group(0) if insert else sql
        if insert and out and out[-1] == head:
            continue
        out.append(head)
    return out


def test_publish_refuses_a_stale_preview_and_writes_nothing(staff):
    stage, applications = make_stage(6)
    services.selection_preview(stage=stage, actor=staff)
    Application.objects.filter(pk=applications[0].pk).update(status=ApplicationStatus.WITHDRAWN)
    with pytest.raises(services.StalePreview):
        services.selection_publish(stage=stage, actor=staff)
    assert not StageDecision.objects.exists()
    assert not Notification.objects.filter(template__startswith="selection_").exists()


def test_publish_refused_transition_writes_nothing(staff, monkeypatch):
    stage, _applications = make_stage(6)
    services.selection_preview(stage=stage, actor=staff)
    statuses = dict(Application.objects.values_list("pk", "status"))
    # The run says "selected" for someone the application's table cannot take there.
    run = SelectionRun.objects.get(stage=stage, status=RunStatus.PREVIEW)
    monkeypatch.setitem(APPLICATION_STATUS_OF, Decision.NOT_SELECTED, ApplicationStatus.ACCEPTED)
    with pytest.raises(InvalidTransition) as refused:
        services.selection_publish(stage=stage, actor=staff)
    assert "cannot go from" in str(refused.value.message)
    assert not StageDecision.objects.exists()
    assert dict(Application.objects.values_list("pk", "status")) == statuses
    assert not Notification.objects.exists()
    run.refresh_from_db()
    assert run.status == RunStatus.PREVIEW


def test_publish_again_is_refused_and_sends_nothing_more(staff, django_capture_on_commit_callbacks):
    stage, _applications = make_stage(5)
    with django_capture_on_commit_callbacks(execute=True):
        services.selection_publish(stage=stage, actor=staff)
    before = Notification.objects.count()
    with pytest.raises(services.AlreadyPublished):
        services.selection_publish(stage=stage, actor=staff)
    assert Notification.objects.count() == before
