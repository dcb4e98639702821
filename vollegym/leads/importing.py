"""Leads from a spreadsheet: a CSV as Excel, Google Sheets or an old CRM writes it, row by row through capture."""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext

from vollegym.leads.models import Source
from vollegym.leads.services import CaptureError, LeadInput, lead_capture
from vollegym.people.models import Person
from vollegym.studios.models import Studio, User

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
NOTES_KEY = "notitie"
# Answer keys for what a row said but the lead cannot hold as written. Stored data, so plain Dutch: the key must not
# depend on the language of whoever ran the import.
INVALID_EMAIL_KEY = "E-mail zoals opgegeven (ongeldig)"
SOURCE_AS_GIVEN_KEY = "Bron zoals opgegeven"

# Header names as people write them, squashed (lower case, no spaces, hyphens, dots or underscores).
_COLUMNS = {
    "name": {"name", "naam", "fullname", "volledigenaam"},
    "first_name": {"voornaam", "firstname", "givenname"},
    "infix": {"tussenvoegsel", "tussenvoegsels"},
    "last_name": {"achternaam", "lastname", "surname", "familienaam"},
    "email": {"email", "emailadres", "emailaddress", "mail", "mailadres"},
    "phone": {
        "phone",
        "phonenumber",
        "telefoon",
        "telefoonnummer",
        "tel",
        "mobiel",
        "mobielnummer",
        "mobile",
    },
    "source": {"source", "bron"},
    "campaign": {"campaign", "campagne"},
    "notes": {"notes", "note", "notities", "notitie", "opmerking", "opmerkingen"},
}
_FIELD_OF = {alias: name for name, aliases in _COLUMNS.items() for alias in aliases}

# Values of the source column as people write them, squashed like the headers.
_SOURCES = {
    **{value.replace("_", ""): value for value in Source.values},
    "facebook": Source.META,
    "fb": Source.META,
    "googleads": Source.GOOGLE,
    "site": Source.WEBSITE,
    "websiteformulier": Source.WEBSITE,
    "doorverwijzing": Source.REFERRAL,
    "verwijzing": Source.REFERRAL,
    "viavia": Source.REFERRAL,
    "vriend": Source.REFERRAL,
    "binnengelopen": Source.WALK_IN,
    "binnenloper": Source.WALK_IN,
    "inloop": Source.WALK_IN,
    "telefoon": Source.PHONE,
    "telefonisch": Source.PHONE,
    "gebeld": Source.PHONE,
    "instagramdm": Source.INSTAGRAM,
    "insta": Source.INSTAGRAM,
    "anders": Source.OTHER,
    "overig": Source.OTHER,
}
_SQUASH = re.compile(r"[\s\-_.]+")

_EMAIL_MAX = Person._meta.get_field("email").max_length or 254
_PHONE_MAX = Person._meta.get_field("phone_as_given").max_length or 64
_NAME_MAX = Person._meta.get_field("name").max_length or 150


class ImportRefused(CaptureError):
    """A file that is refused as a whole, before any row is read into a lead."""

    def __init__(self, reason: str) -> None:
        super().__init__("file", reason)


@dataclass(frozen=True)
class ImportWarning:
    """A value of an imported row that the lead does not hold as written; the row itself was kept."""

    line: int
    field: str  # "email" or "source"
    given: str  # the value as the file has it

    @property
    def message(self) -> str:
        # Worded when shown, so the page speaks the viewer's language and the command its own.
        if self.field == "email":
            return gettext(
                'E-mailadres "%(email)s" is ongeldig: de lead is zonder e-mailadres geïmporteerd, '
                "het adres staat bij de antwoorden."
            ) % {"email": self.given}
        return gettext(
            'Bron "%(source)s" is onbekend: de lead staat onder "%(other)s", het woord staat bij de antwoorden.'
        ) % {"source": self.given, "other": Source.OTHER.label}


@dataclass
class ImportReport:
    created: int = 0
    merged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)  # of imported rows only
    total: int = 0  # data rows that were not empty


@dataclass(frozen=True)
class _Row:
    line: int  # the physical line of the file the row starts on; the header is line 1
    cells: list[str]


def _squash(text: str) -> str:
    return _SQUASH.sub("", text.strip().lower())


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        if len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise ImportRefused(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
        return data.removeprefix("\ufeff")
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if data.startswith(b"PK\x03\x04"):
        raise ImportRefused("this is an Excel workbook or another zip file; save it as CSV first")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Windows saves "CSV" in the Windows code page unless told otherwise.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportRefused("the file is neither UTF-8 nor Windows-1252 text") from None


def _delimiter(text: str) -> str:
    sample = "\n".join(text[:65536].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        return ","


def _read(text: str, max_rows: int = MAX_ROWS) -> tuple[list[str], list[_Row]]:
    """The header and the non-empty data rows, each with the line it starts on."""
    if "\x00" in text:
        raise ImportRefused("the file contains NUL characters: it is not a CSV text file")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header: list[str] | None = None
    rows: list[_Row] = []
    line = 0
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = cells
                continue
            rows.append(_Row(start, cells))
            if len(rows) > max_rows:
                raise ImportRefused(f"the file has more than {max_rows} rows; split it into smaller files")
    except csv.Error as exc:
        raise ImportRefused(f"line {reader.line_num}: the file is not valid CSV ({exc})") from None
    if header is None:
        raise ImportRefused("the file is empty")
    return header, rows


def _columns(header: list[str]) -> list[tuple[str, str]]:
    """For each column: the lead field it fills (or "answer") and its name as written in the header."""
    columns = [(_FIELD_OF.get(_squash(name), "answer"), name.strip()) for name in header]
    found = {kind for kind, _name in columns}
    if not found & {"email", "phone"}:
        named = ", ".join(repr(name) for _kind, name in columns if name) or "none"
        raise ImportRefused(
            "the file has no e-mail or phone column; found the columns "
            f"{named} (expected e.g. 'e-mail', 'email', 'telefoon' or 'phone')"
        )
    return columns


def _is_email(text: str) -> bool:
    try:
        validate_email(text.lower())
    except ValidationError:
        return False
    return True


def _lead_input(columns: list[tuple[str, str]], row: _Row) -> tuple[LeadInput, list[ImportWarning]]:
    """The row as capture's input, and what of it was set aside rather than refused."""
    values: dict[str, str] = {}
    answers: dict[str, str] = {}
    for (kind, name), raw in zip(columns, row.cells, strict=False):
        value = raw.strip()
        if not value:
            continue
        if kind == "answer":
            # Created/aangemaakt/datum land here too: an import never backdates a lead, but keeps the date.
            if name:
                answers.setdefault(name, value)
        else:
            values.setdefault(kind, value)
    extra = row.cells[len(columns) :]
    if any(cell.strip() for cell in extra):
        raise CaptureError(
            "row", f"the row has {len(row.cells)} values but the header names {len(columns)} columns"
        )
    if "notes" in values:
        answers[NOTES_KEY] = values["notes"]
    name = values.get("name") or " ".join(
        values[part] for part in ("first_name", "infix", "last_name") if part in values
    )
    email, phone = values.get("email", ""), values.get("phone", "")
    # Longer than the columns that hold them: refused here rather than by the database mid-import.
    if len(email) > _EMAIL_MAX:
        raise CaptureError("email", f"the e-mail address is longer than {_EMAIL_MAX} characters")
    if len(phone) > _PHONE_MAX:
        raise CaptureError("phone", f"the phone number is longer than {_PHONE_MAX} characters")
    warnings: list[ImportWarning] = []
    # A mistyped address does not cost the lead when a phone number reaches them (a bad number is kept and
    # flagged by capture itself); without one, capture refuses the row and says why.
    if email and phone and not _is_email(email):
        answers[INVALID_EMAIL_KEY] = email
        warnings.append(ImportWarning(row.line, "email", email))
        email = ""
    source = values.get("source", "")
    known = _SOURCES.get(_squash(source)) if source else Source.IMPORT
    if known is None:
        # Here and not in capture: the webhooks keep refusing a source they do not know.
        answers[SOURCE_AS_GIVEN_KEY] = source
        warnings.append(ImportWarning(row.line, "source", source))
        known = Source.OTHER
    data = LeadInput(
        source=known,
        name=name[:_NAME_MAX],
        email=email,
        phone=phone,
        campaign=values.get("campaign", ""),
        answers=answers,
    )
    return data, warnings


def leads_import_csv(
    *, studio: Studio, data: bytes | str, by: User | None = None, max_rows: int = MAX_ROWS
) -> ImportReport:
    """Imports a CSV through capture: rejections and warnings by line, a crash imports nothing."""
    header, rows = _read(_decode(data), max_rows)
    columns = _columns(header)
    report = ImportReport(total=len(rows))
    with transaction.atomic():
        for row in rows:
            try:
                lead_input, warnings = _lead_input(columns, row)
                with transaction.atomic():
                    # People in an old spreadsheet did not just ask for anything: no thank-you mail, and no
                    # clock or notice per row (a list of a thousand would flood the coaches).
                    captured = lead_capture(
                        studio=studio,
                        data=lead_input,
                        by=by,
                        acknowledge=False,
                        announce=False,
                    )
            except CaptureError as exc:
                report.rejected.append((row.line, exc.reason))
                continue
            report.warnings.extend(warnings)
            if captured.created:
                report.created += 1
            else:
                report.merged += 1
    return report
