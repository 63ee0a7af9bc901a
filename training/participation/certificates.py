"""Certificate numbers, verification codes and the PDF.

The PDF is drawn with fpdf2 (pure Python) from the certificate's stored fields every time it is
downloaded, so nothing but the row is kept and an issued certificate always reads the same. The
text is bilingual: Indonesian, then English in italics. A QR code (segno) links to the public
verification page."""

import io
import secrets
import unicodedata

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

# No 0/O, 1/I/L: a code is read aloud and typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:32]


def certificate_number(*, program, stage, sequence: int, year: int) -> str:
    prefix = getattr(settings, "PARTICIPATION_CERTIFICATE_PREFIX", "SERT-IKM")
    return f"{prefix}/{year}/P{program.pk:03d}-T{stage.order}/{sequence:04d}"


def verify_path(certificate) -> str:
    return reverse("participation_public:certificate_verify", args=[certificate.code])


def verify_url(certificate) -> str:
    return settings.SITE_URL.rstrip("/") + verify_path(certificate)


_PUNCTUATION = str.maketrans(
    {"–": "-", "—": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "…": "..."}
)


def _latin1(text: str) -> str:
    """The PDF's core fonts speak Latin-1: fold other letters to their closest form."""
    text = str(text or "").translate(_PUNCTUATION)
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        folded = unicodedata.normalize("NFKD", text)
        return folded.encode("latin-1", "ignore").decode("latin-1")


def _hours(value) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _dates(certificate, language: str) -> str:
    with translation.override(language):
        if certificate.starts_on and certificate.ends_on:
            start = date_format(certificate.starts_on, "j F Y")
            end = date_format(certificate.ends_on, "j F Y")
            return start if start == end else f"{start} – {end}"
        return ""


def certificate_lines(certificate) -> dict[str, str]:
    """Every text of the certificate, Indonesian and English (tests read these)."""
    texts = {}
    for lang in ("id", "en"):
        with translation.override(lang):
            texts[lang] = {
                "title": gettext("Certificate"),
                "awarded": gettext("This certificate is awarded to"),
                "owner_of": gettext("owner of"),
                "completed": gettext("for completing"),
                "stage": gettext("Stage"),
                "track": gettext("Track"),
                "with_partner": gettext("in partnership with"),
                "hours": gettext("%(hours)s training hours") % {"hours": _hours(certificate.hours)},
                "number": gettext("Number"),
                "verify": gettext("Verify this certificate at"),
                "code": gettext("Verification code"),
            }
    return {
        "office": settings.OFFICE_NAME,
        "holder": certificate.holder_name,
        "business": certificate.business_name,
        "program": certificate.program_title,
        "stage": certificate.stage_name,
        "track": certificate.track_name,
        "partner": certificate.partner_name,
        "dates_id": _dates(certificate, "id"),
        "dates_en": _dates(certificate, "en"),
        "number": certificate.number,
        "code": certificate.code_display,
        "url": verify_url(certificate),
        "id": texts["id"],
        "en": texts["en"],
    }


def _qr_png(url: str) -> io.BytesIO:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return buffer


def certificate_pdf(certificate, *, signatory_name: str = "", signatory_title: str = "") -> bytes:
    from fpdf import FPDF

    lines = certificate_lines(certificate)
    t_id, t_en = lines["id"], lines["en"]
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_latin1(f"{t_id['title']} {lines['number']}"))
    pdf.set_author(_latin1(lines["office"]))
    pdf.set_creator("IKM Portal")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.w

    def text(value, size, style="", top=None, colour=(33, 37, 41)):
        if top is not None:
            pdf.set_y(top)
        pdf.set_font("Helvetica", style, size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(width - 40, size * 0.5, _latin1(value), align="C", new_x="LMARGIN")

    pdf.set_draw_color(13, 110, 253)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, width - 16, pdf.h - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, width - 22, pdf.h - 22)
    pdf.set_left_margin(20)
    pdf.set_right_margin(20)

    text(lines["office"], 12, "B", top=18, colour=(13, 110, 253))
    text(t_id["title"].upper(), 30, "B", top=30)
    text(t_en["title"], 13, "I", colour=(108, 117, 125))
    text(f"{t_id['number']}: {lines['number']}", 10, top=pdf.get_y() + 2)
    text(t_id["awarded"], 12, top=pdf.get_y() + 6)
    text(t_en["awarded"], 9, "I", colour=(108, 117, 125))
    text(lines["holder"], 24, "B", top=pdf.get_y() + 3)
    text(f"{t_id['owner_of']} {lines['business']}", 12, top=pdf.get_y() + 1)
    text(f"{t_id['completed']}", 12, top=pdf.get_y() + 4)
    text(t_en["completed"], 9, "I", colour=(108, 117, 125))
    text(lines["program"], 16, "B", top=pdf.get_y() + 2)
    detail = f"{t_id['stage']}: {lines['stage']}"
    if lines["track"]:
        detail += f"  ·  {t_id['track']}: {lines['track']}"
    text(detail, 11, top=pdf.get_y() + 1)
    if lines["partner"]:
        text(f"{t_id['with_partner']} {lines['partner']}", 11)
    when = "  ·  ".join(p for p in (lines["dates_id"], t_id["hours"]) if p)
    text(when, 11, top=pdf.get_y() + 1)
    text(
        "  ·  ".join(p for p in (lines["dates_en"], t_en["hours"]) if p),
        9,
        "I",
        colour=(108, 117, 125),
    )

    # Signature block (right) and verification block (left).
    base = pdf.h - 58
    if signatory_name:
        left = width - 128
        pdf.set_draw_color(108, 117, 125)
        pdf.set_line_width(0.3)
        pdf.line(left + 15, base + 19, left + 95, base + 19)
        pdf.set_xy(left, base + 20)
        pdf.set_font("Helvetica", "B", 11)
        pdf.set_text_color(33, 37, 41)
        pdf.cell(110, 6, _latin1(signatory_name), align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(110, 4.5, _latin1(signatory_title), align="C")
    pdf.image(_qr_png(lines["url"]), x=22, y=base, w=32, h=32)
    pdf.set_xy(58, base + 4)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_text_color(33, 37, 41)
    pdf.cell(0, 5, _latin1(f"{t_id['code']} / {t_en['code']}:"), new_x="LEFT", new_y="NEXT")
    pdf.set_font("Courier", "B", 13)
    pdf.cell(0, 7, _latin1(lines["code"]), new_x="LEFT", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    pdf.cell(0, 5, _latin1(f"{t_id['verify']} / {t_en['verify']}:"), new_x="LEFT", new_y="NEXT")
    pdf.cell(0, 5, _latin1(lines["url"]))
    return bytes(pdf.output())
