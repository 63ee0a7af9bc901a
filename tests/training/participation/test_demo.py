import io

import pytest
from django.core.management import call_command

from training.models import Attendance, Certificate, OutcomeSurvey, Participant, Program, Session
from training.participation import demo
from training.participation.stats.program import impact_report

pytestmark = pytest.mark.django_db


def test_demo_programme_has_sessions_attendance_certificates_outcomes_and_groups(capsys):
    call_command("load_demo")
    program = Program.objects.get(title=demo.PAST_TITLE)
    assert program.status == "completed"
    assert Session.objects.filter(program=program).count() == 28
    assert Attendance.objects.filter(session__program=program).count() > 800
    assert Participant.objects.filter(program=program, stage__order=1).count() == 100
    assert Participant.objects.filter(program=program, stage__order=2).count() == 20
    completed = Participant.objects.filter(program=program, status="completed").count()
    assert completed > 50
    assert Certificate.objects.filter(participant__program=program).count() == completed
    answered = OutcomeSurvey.objects.filter(application__program=program, status="submitted")
    assert answered.filter(wave="baseline").count() > 90
    assert answered.filter(wave="endline").count() > 80
    report = impact_report(program=program)
    turnover = next(f for f in report["figures"] if f["key"] == "monthly_turnover")
    cells = {c["group"]: c for c in turnover["cells"] if c["track"] is None}
    assert set(cells) == {"stage_2", "stage_1", "not_selected"}
    assert all(cell["n"] >= 5 for cell in cells.values())
    owner_rows = Participant.objects.filter(
        program=program, enterprise__owner__email=demo.DEMO_OWNER_EMAIL
    )
    assert set(owner_rows.values_list("status", flat=True)) == {"completed"}
    assert OutcomeSurvey.objects.filter(
        application__program=program,
        application__enterprise__owner__email=demo.DEMO_OWNER_EMAIL,
        wave="followup",
        status="requested",
    ).exists()
    # The selection's running edition, whose participants it enrolled, gets sessions too.
    others = Program.objects.exclude(pk=program.pk).filter(participants__isnull=False).distinct()
    for other in others:
        assert Session.objects.filter(program=other).exists()
        if other.status == "running":
            assert Attendance.objects.filter(session__program=other).exists()
    out = io.StringIO()
    before = (Session.objects.count(), Attendance.objects.count(), OutcomeSurvey.objects.count())
    demo.load_demo(out)
    assert (
        Session.objects.count(),
        Attendance.objects.count(),
        OutcomeSurvey.objects.count(),
    ) == before
    assert "already loaded" in out.getvalue()
