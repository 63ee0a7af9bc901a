"""Tables and files made from the report dictionaries: the impact report's page tables, CSV
and XLSX, the participants list, and the programme report workbook (the partner's CSR
report). Cells a spreadsheet would read as a formula are neutralised."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import ParticipantStatus
from ..selectors import summary_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _neutralise(value):
    if isinstance(value, int | float) or value is None:
        return value
    text = str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _csv_response(filename: str, header: list, rows: list[list]) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _neutralise(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_response(filename: str, sheets: list[tuple[str, list, list[list]]]) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# --- Impact --------------------------------------------------------------------------------------


def impact_tables(report: dict) -> dict:
    """The page's tables: counts, then one table per figure (rows: tracks, columns: groups)."""
    groups = report["groups"]
    counts = {(c["track"], c["group"]): c for c in report["counts"]}
    count_rows = [
        {"track": t, "cells": [counts[(t["id"], g["key"])] for g in groups]}
        for t in report["tracks"]
    ]
    figures = []
    for figure in report["figures"]:
        cells = {(c["track"], c["group"]): c for c in figure["cells"]}
        figures.append(
            {
                **figure,
                "rows": [
                    {"track": t, "cells": [cells[(t["id"], g["key"])] for g in groups]}
                    for t in report["tracks"]
                ],
            }
        )
    return {"groups": groups, "counts": count_rows, "figures": figures}


def impact_rows(report: dict) -> tuple[list, list[list]]:
    """One row per figure, track and group (the long format statisticians prefer)."""
    groups = {g["key"]: g["label"] for g in report["groups"]}
    tracks = {t["id"]: t["name"] for t in report["tracks"]}
    counts = {(c["track"], c["group"]): c for c in report["counts"]}
    header = [
        _("Figure"),
        _("Unit"),
        _("Track"),
        _("Group"),
        _("Members"),
        _("Answered both surveys"),
        _("n (compared)"),
        _("Median change"),
        _("First quartile"),
        _("Third quartile"),
        _("Median change (%)"),
        _("With something new"),
        _("Share (%)"),
    ]
    rows = []
    for figure in report["figures"]:
        for cell in figure["cells"]:
            count = counts[(cell["track"], cell["group"])]
            numeric = figure["kind"] == "numeric"
            rows.append(
                [
                    figure["label"],
                    figure["unit"],
                    tracks[cell["track"]],
                    groups[cell["group"]],
                    count["members"],
                    count["answered_both"],
                    cell["n"],
                    cell.get("median") if numeric else None,
                    cell.get("q1") if numeric else None,
                    cell.get("q3") if numeric else None,
                    cell.get("median_percent") if numeric else None,
                    None if numeric else cell.get("count"),
                    None if numeric else cell.get("share"),
                ]
            )
    return header, rows


def impact_export(program, report: dict, fmt: str) -> HttpResponse:
    header, rows = impact_rows(report)
    filename = f"dampak-program-{program.pk}-{report['after']}-{timezone.localdate():%Y%m%d}"
    if fmt == "xlsx":
        notes = [[report["title"]], [report["caveat"]], [report["method"]]]
        return _xlsx_response(
            filename, [(_("Impact"), header, rows), (_("Read me"), [_("Notes")], notes)]
        )
    return _csv_response(filename, header, rows)


# --- Participants --------------------------------------------------------------------------------


def participants_export(program, participants, fmt: str) -> HttpResponse:
    header = [
        "ID",
        _("Stage"),
        _("Track"),
        _("Business"),
        _("Owner"),
        _("Kecamatan"),
        _("Status"),
        _("Sessions held"),
        _("Attended"),
        _("Excused"),
        _("Attendance (%)"),
        _("Certificate"),
    ]
    rows = []
    for p in participants:
        summary = summary_of(p)
        try:
            certificate = p.certificate.number
        except p._meta.get_field("certificate").related_model.DoesNotExist:
            certificate = ""
        rows.append(
            [
                p.pk,
                p.stage.name,
                p.track.name if p.track_id else "",
                p.enterprise.name,
                p.enterprise.owner_name,
                p.enterprise.kecamatan.name if p.enterprise.kecamatan_id else "",
                str(ParticipantStatus(p.status).label),
                summary.held,
                summary.attended,
                summary.excused,
                float(summary.rate) if summary.rate is not None else None,
                certificate,
            ]
        )
    filename = f"peserta-program-{program.pk}-{timezone.localdate():%Y%m%d}"
    if fmt == "xlsx":
        return _xlsx_response(filename, [(_("Participants"), header, rows)])
    return _csv_response(filename, header, rows)


# --- The programme report (funnel, attendance, outcomes) -----------------------------------------


def program_report_xlsx(items, partner=None) -> HttpResponse:
    """`items`: [(program, funnel, attendance)] → one workbook: the funnel of each programme,
    its stages, sessions and outcome response rates."""
    funnel_rows, stage_rows, session_rows, outcome_rows = [], [], [], []
    for program, data, attendance in items:
        for step in data["steps"]:
            funnel_rows.append([program.title, step["label"], step["count"]])
        for stage in data["stages"]:
            stage_rows.append(
                [
                    program.title,
                    stage["order"],
                    stage["name"],
                    stage["seats"],
                    stage["participants"],
                    stage["completed"],
                    stage["completion_rate"],
                ]
            )
        for s in attendance["sessions"]:
            session_rows.append(
                [
                    program.title,
                    s["title"],
                    timezone.localtime(s["starts_at"]).strftime("%Y-%m-%d %H:%M"),
                    s["stage"],
                    s["track"],
                    s["expected"],
                    s["present"],
                    s["late"],
                    s["excused"],
                    s["absent"],
                    s["rate"],
                ]
            )
        for o in data["outcomes"]:
            outcome_rows.append(
                [program.title, o["label"], o["requested"], o["answered"], o["waiting"], o["rate"]]
            )
    sheets = [
        (_("Funnel"), [_("Programme"), _("Step"), _("Count")], funnel_rows),
        (
            _("Stages"),
            [
                _("Programme"),
                _("Stage"),
                _("Name"),
                _("Seats"),
                _("Participants"),
                _("Completed"),
                _("Completion (%)"),
            ],
            stage_rows,
        ),
        (
            _("Attendance"),
            [
                _("Programme"),
                _("Session"),
                _("Starts at"),
                _("Stage"),
                _("Track"),
                _("Expected"),
                _("Present"),
                _("Late"),
                _("Excused"),
                _("Absent"),
                _("Attendance (%)"),
            ],
            session_rows,
        ),
        (
            _("Outcome surveys"),
            [
                _("Programme"),
                _("Survey"),
                _("Requested"),
                _("Answered"),
                _("Waiting"),
                _("Response rate (%)"),
            ],
            outcome_rows,
        ),
    ]
    name = f"laporan-program-{timezone.localdate():%Y%m%d}"
    if partner is not None:
        name = f"laporan-mitra-{partner.pk}-{timezone.localdate():%Y%m%d}"
    elif len(items) == 1:
        name = f"laporan-program-{items[0][0].pk}-{timezone.localdate():%Y%m%d}"
    return _xlsx_response(name, sheets)
