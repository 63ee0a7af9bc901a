"""All of a person's data as a readable PDF (fpdf2, pure Python): the same content as the JSON
download, each app's part under its own heading."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _


def _text(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, datetime):
        value = timezone.localtime(value).strftime("%d-%m-%Y %H.%M")
    elif isinstance(value, date):
        value = value.strftime("%d-%m-%Y")
    elif isinstance(value, bool):
        value = _("yes") if value else _("no")
    # The core fonts are Latin-1; anything else becomes "?" rather than failing the download.
    return str(value).encode("latin-1", "replace").decode("latin-1")


def personal_data_pdf(data: dict, *, name: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(_text(_("My personal data")))
    pdf.set_creator("IKM Portal")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(value, size=10, style=""):
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(width, size * 0.5, _text(value), new_x="LMARGIN", new_y="NEXT")

    def block(value, indent=0):
        pad = "    " * indent
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, dict | list) and item:
                    line(f"{pad}{key}:", 9, "B")
                    block(item, indent + 1)
                else:
                    line(
                        f"{pad}{key}: {_text(item) if not isinstance(item, dict | list) else '-'}",
                        9,
                    )
        elif isinstance(value, list):
            if not value:
                line(f"{pad}-", 9)
            for number, item in enumerate(value, 1):
                if isinstance(item, dict | list):
                    line(f"{pad}#{number}", 9, "B")
                    block(item, indent + 1)
                else:
                    line(f"{pad}- {_text(item)}", 9)
        else:
            line(f"{pad}{_text(value)}", 9)

    line(_("My personal data"), 16, "B")
    line(f"{name} · {data.get('office', '')}", 10)
    line(_("Made on %(time)s") % {"time": _text(data.get("generated_at"))}, 9)
    pdf.ln(2)
    for key, section in data.items():
        if not isinstance(section, dict) or "data" not in section:
            continue
        pdf.ln(3)
        line(section.get("title") or key, 13, "B")
        block(section["data"])
    return bytes(pdf.output())
