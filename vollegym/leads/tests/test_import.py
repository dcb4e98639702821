import codecs
import re
import sys
from datetime import datetime
from io import StringIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from vollegym.core.testing import assert_other_studio_gets_404, client_for
from vollegym.leads import importing
from vollegym.leads.importing import MAX_BYTES, MAX_ROWS, ImportRefused, ImportWarning, leads_import_csv
from vollegym.leads.models import Activity, Lead, Stage
from vollegym.leads.services import CaptureError, LeadInput, lead_capture, lead_move
from vollegym.messaging.models import Message

pytestmark = pytest.mark.django_db

TUESDAY_10 = datetime.fromisoformat("2026-11-24T10:00:00+01:00")
URL = "/app/kracht-utrecht/leads/import/"


def leads_of(studio):
    return list(Lead.objects.for_studio(studio).order_by("created_at", "id"))


def csv_file(tmp_path, text, name="leads.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


# The service: what a file becomes


@time_machine.travel(TUESDAY_10, tick=False)
def test_a_dutch_excel_file_with_semicolons_and_a_bom_is_imported(cast):
    data = codecs.BOM_UTF8 + (
        b"Voornaam;Tussenvoegsel;Achternaam;E-mailadres;Telefoonnummer;Bron;Campagne;Opmerking;Doel;Aangemaakt\r\n"
        b"Eva;de;Boer;Eva@Example.nl;06 1234 5678;Doorverwijzing;najaar;Belt liever na 18 uur;sterker worden;"
        b"03-02-2024\r\n"
        b"Jan;;Smit;;0687654321;binnengelopen;;;;\r\n"
    )
    report = leads_import_csv(studio=cast.studio, data=data, by=cast.owner)
    assert (report.created, report.merged, report.rejected, report.total) == (2, 0, [], 2)
    eva, jan = leads_of(cast.studio)
    assert (eva.name, eva.email, eva.phone, eva.source, eva.campaign) == (
        "Eva de Boer", "eva@example.nl", "+31612345678", "referral", "najaar",
    )  # fmt: skip
    assert eva.answers == {
        "notitie": "Belt liever na 18 uur",
        "Doel": "sterker worden",
        "Aangemaakt": "03-02-2024",
    }
    # The file's date is kept, but the lead is not backdated: its clock starts now.
    assert eva.created_at == TUESDAY_10 and eva.due_at is None  # an imported list runs no clock
    assert (jan.name, jan.phone, jan.source, jan.answers) == ("Jan Smit", "+31687654321", "walk_in", {})
    created = Activity.objects.for_studio(cast.studio).get(lead=eva, kind=Activity.Kind.CREATED)
    assert created.by == cast.owner


def test_english_headers_with_commas_are_imported_with_import_as_the_default_source(cast):
    data = (
        "Full Name,E-mail,Phone,Source,Campaign,Notes\n"
        '"Boer, Eva de",eva@example.nl,+32 470 12 34 56,,spring,"Prefers mornings, not evenings"\n'
        "Bram,bram@example.nl,,Instagram,,\n"
        "Sara,sara@example.nl,,google,,\n"
    )
    report = leads_import_csv(studio=cast.studio, data=data)
    assert (report.created, report.rejected) == (3, [])
    eva, bram, sara = leads_of(cast.studio)
    assert (eva.name, eva.phone, eva.source, eva.campaign) == (
        "Boer, Eva de",
        "+32470123456",
        "import",
        "spring",
    )
    assert eva.answers == {"notitie": "Prefers mornings, not evenings"}
    assert (bram.source, sara.source) == ("instagram", "google")


def test_a_windows_excel_file_in_cp1252_keeps_its_accents(cast):
    data = "Naam;E-mail\r\nRené Müller;rene@example.nl\r\nZoë Brandsma;zoe@example.nl\r\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the file really is not UTF-8
    report = leads_import_csv(studio=cast.studio, data=data)
    assert report.created == 2
    assert [lead.name for lead in leads_of(cast.studio)] == ["René Müller", "Zoë Brandsma"]


def test_bad_rows_are_rejected_by_their_physical_line_and_the_good_rows_imported(cast):
    data = (
        "naam,email,telefoon,notities,bron\n"  # line 1
        'Eva,eva@example.nl,,"twee\n'  # line 2: a quoted note over two lines
        'regels",\n'  # line 3
        "Geen Mail,geen-mail,,,\n"  # line 4
        "Alleen Naam,,,,\n"  # line 5
        "\n"  # line 6: empty, skipped silently
        ",,,,\n"  # line 7: empty too
        "Tim,tim,,,\n"  # line 8
        "Bram,,06 12345678,,\n"  # line 9
        'Lies,geen-mail,,"ook twee\n'  # line 10: rejected, reported where it starts
        'regels",\n'  # line 11
    )
    report = leads_import_csv(studio=cast.studio, data=data)
    assert report.rejected == [
        (4, "'geen-mail' is not an e-mail address"),
        (5, "a lead needs an e-mail address or a phone number"),
        (8, "'tim' is not an e-mail address"),
        (10, "'geen-mail' is not an e-mail address"),
    ]  # fmt: skip
    assert (report.created, report.merged, report.total) == (2, 0, 6)
    eva, bram = leads_of(cast.studio)
    assert eva.answers == {"notitie": "twee\nregels"} and bram.phone == "+31612345678"


def test_a_row_with_a_phone_and_a_mistyped_email_is_imported_with_the_phone_and_the_address_set_aside(cast):
    data = "naam;email;telefoon\nEva;eva@@example;06 12345678\nBram;bram@example.nl;\n"
    report = leads_import_csv(studio=cast.studio, data=data)
    assert (report.created, report.rejected) == (2, [])
    assert report.warnings == [ImportWarning(line=2, field="email", given="eva@@example")]
    assert report.warnings[0].message == (
        'E-mailadres "eva@@example" is ongeldig: de lead is zonder e-mailadres geïmporteerd, '
        "het adres staat bij de antwoorden."
    )
    eva, bram = leads_of(cast.studio)
    assert (eva.name, eva.email, eva.phone, eva.source) == ("Eva", "", "+31612345678", "import")
    assert eva.answers == {"E-mail zoals opgegeven (ongeldig)": "eva@@example"}
    assert (bram.email, bram.answers) == ("bram@example.nl", {})


def test_only_a_row_with_neither_a_valid_email_nor_any_phone_is_rejected_for_its_email(cast):
    data = (
        "naam,email,telefoon\n"
        "Eva,eva@@example,\n"  # line 2: nothing left to reach her by
        "Bram,bram(at)example.nl,12\n"  # line 3: a phone number, even a bad one, keeps the lead
        "Sara,sara@example,06 87654321\n"  # line 4
    )
    report = leads_import_csv(studio=cast.studio, data=data)
    assert report.rejected == [(2, "'eva@@example' is not an e-mail address")]
    assert [(warned.line, warned.field) for warned in report.warnings] == [(3, "email"), (4, "email")]
    bram, sara = leads_of(cast.studio)
    # The bad number is kept and flagged by capture, the bad address by the import.
    person = bram.person
    assert (bram.email, bram.phone, person.phone_as_given, person.phone_invalid) == ("", "", "12", True)
    assert bram.answers == {"E-mail zoals opgegeven (ongeldig)": "bram(at)example.nl"}
    assert (sara.email, sara.phone) == ("", "+31687654321")


def test_an_unknown_source_becomes_other_with_the_word_kept_but_capture_stays_strict(cast):
    data = "naam,email,bron\nEva,eva@example.nl,Flyer \nBram,bram@example.nl,anders\n"
    report = leads_import_csv(studio=cast.studio, data=data)
    assert (report.created, report.rejected) == (2, [])
    assert report.warnings == [ImportWarning(line=2, field="source", given="Flyer")]
    assert report.warnings[0].message == (
        'Bron "Flyer" is onbekend: de lead staat onder "Anders", het woord staat bij de antwoorden.'
    )
    eva, bram = leads_of(cast.studio)
    assert (eva.source, eva.answers) == ("other", {"Bron zoals opgegeven": "Flyer"})
    assert (bram.source, bram.answers) == ("other", {})  # a word for "other" is no warning
    # The mapping is the import's: a webhook with a source capture does not know is still refused.
    with pytest.raises(CaptureError, match="unknown source 'flyer'"):
        lead_capture(studio=cast.studio, data=LeadInput(source="flyer", email="sara@example.nl"))


def test_a_row_with_more_values_than_columns_is_rejected_not_guessed(cast):
    data = "naam,email\nEva,eva@example.nl\nde Boer, Eva,eva@example.nl\n"
    report = leads_import_csv(studio=cast.studio, data=data)
    assert report.rejected == [(3, "the row has 3 values but the header names 2 columns")]
    assert report.created == 1


def test_values_too_long_for_the_lead_are_rejected_instead_of_breaking_the_import(cast):
    long_phone = "bel 06-12345678 of anders op kantoor 030-1234567, liefst na zessen"
    data = f'naam,email,telefoon\nEva,eva@example.nl,"{long_phone}"\nBram,{"b" * 250}@example.nl,\nSara,sara@example.nl,\n'
    report = leads_import_csv(studio=cast.studio, data=data)
    assert report.rejected == [
        (2, "the phone number is longer than 64 characters"),
        (3, "the e-mail address is longer than 254 characters"),
    ]
    assert [lead.name for lead in leads_of(cast.studio)] == ["Sara"]


def test_duplicates_in_the_file_and_of_open_leads_are_merged_not_doubled(cast):
    existing = lead_capture(
        studio=cast.studio, data=LeadInput(source="meta", name="Eva", phone="06 12345678")
    ).lead
    closed = lead_capture(studio=cast.studio, data=LeadInput(source="website", email="oud@example.nl")).lead
    lead_move(lead=closed, stage=Stage.LOST, by=cast.owner, lost_reason="te duur")
    data = (
        "naam;e-mail;mobiel;doel\n"
        "Eva de Boer;eva@example.nl;+31612345678;sterker\n"  # the open lead, by phone
        "Bram;bram@example.nl;;\n"
        "Bram Bakker;BRAM@example.nl;06 87654321;fit\n"  # earlier in this file, by e-mail
        "Oud;oud@example.nl;;\n"  # only a lost lead: a new one
    )
    report = leads_import_csv(studio=cast.studio, data=data)
    assert (report.created, report.merged, report.rejected) == (2, 2, [])
    assert Lead.objects.for_studio(cast.studio).count() == 4
    eva = Lead.objects.for_studio(cast.studio).get(pk=existing.pk)
    assert (eva.name, eva.email, eva.answers) == ("Eva", "eva@example.nl", {"doel": "sterker"})
    bram = Lead.objects.for_studio(cast.studio).get(person__email="bram@example.nl")
    assert (bram.name, bram.phone, bram.answers) == ("Bram", "+31687654321", {"doel": "fit"})
    assert Lead.objects.for_studio(cast.studio).filter(person__email="oud@example.nl").count() == 2


def test_a_file_without_an_email_or_phone_column_is_refused_naming_its_columns(cast):
    with pytest.raises(ImportRefused) as refused:
        leads_import_csv(studio=cast.studio, data="Naam;Leeftijd;Doel\nEva;34;fit\n")
    assert refused.value.reason == (
        "the file has no e-mail or phone column; found the columns 'Naam', 'Leeftijd', 'Doel' "
        "(expected e.g. 'e-mail', 'email', 'telefoon' or 'phone')"
    )
    assert Lead.objects.for_studio(cast.studio).count() == 0


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04rest-of-a-zip", "this is an Excel workbook or another zip file; save it as CSV first"),
        (b"email\n" + b"x" * MAX_BYTES, "the file is larger than 5 MB"),
        (
            "email\n" + "".join(f"p{i}@example.nl\n" for i in range(MAX_ROWS + 1)),
            "the file has more than 5000 rows; split it into smaller files",
        ),
    ],
    ids=["empty", "xlsx", "too-large", "too-many-rows"],
)
def test_files_that_cannot_be_imported_are_refused_whole(cast, data, reason):
    with pytest.raises(ImportRefused) as refused:
        leads_import_csv(studio=cast.studio, data=data)
    assert refused.value.reason == reason
    assert Lead.objects.for_studio(cast.studio).count() == 0


def test_a_file_at_the_row_limit_is_imported_and_one_row_more_is_refused(cast, monkeypatch):
    # A smaller limit stands in for 5,000: importing 5,000 rows takes a minute (see the refused case above).
    rows = "".join(f"p{i}@example.nl\n\n" for i in range(3))
    assert leads_import_csv(studio=cast.studio, data=f"email\n{rows}", max_rows=3).created == 3
    with pytest.raises(ImportRefused, match="more than 3 rows"):
        leads_import_csv(studio=cast.studio, data=f"email\n{rows}x@example.nl\n", max_rows=3)


def test_a_crash_halfway_imports_nothing(cast, monkeypatch):
    calls = []

    def crash_on_third_row(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return lead_capture(**kwargs)

    monkeypatch.setattr(importing, "lead_capture", crash_on_third_row)
    data = "email\na@example.nl\nb@example.nl\nc@example.nl\nd@example.nl\n"
    with pytest.raises(RuntimeError, match="database went away"):
        leads_import_csv(studio=cast.studio, data=data)
    assert len(calls) == 3
    assert Lead.objects.for_studio(cast.studio).count() == 0
    assert Activity.objects.for_studio(cast.studio).count() == 0
    assert Message.objects.for_studio(cast.studio).count() == 0


def test_imported_leads_get_a_coach_but_no_clock(cast):
    leads_import_csv(studio=cast.studio, data="email\neva@example.nl\n")
    lead = Lead.objects.for_studio(cast.studio).get()
    assert lead.assigned_to == cast.coach and lead.due_at is None


def test_an_import_sends_no_message_at_all(cast):
    # An old list of a thousand names must not flood the coaches nor mail the people on it.
    leads_import_csv(studio=cast.studio, data="naam,email\nEva,eva@example.nl\nBram,bram@example.nl\n")
    assert Lead.objects.for_studio(cast.studio).count() == 2
    assert not Message.objects.for_studio(cast.studio).exists()


# The command


def test_import_command_reports_each_rejected_row_and_exits_1(cast, tmp_path):
    path = csv_file(tmp_path, "naam;email\nEva;eva@example.nl\nNiemand;\nEva;eva@example.nl\n")
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_leads", "kracht-utrecht", str(path), stdout=out)
    assert failed.value.returncode == 1
    assert str(failed.value) == "1 imported, 1 merged into open leads, 1 rejected"
    assert out.getvalue() == f"{path}: line 3: a lead needs an e-mail address or a phone number\n"
    assert Lead.objects.for_studio(cast.studio).count() == 1


def test_import_command_prints_each_warning_by_line_in_english_between_the_rejections(cast, tmp_path):
    path = csv_file(
        tmp_path,
        "naam;email;telefoon;bron\n"
        "Eva;eva@@example;06 12345678;flyer\n"
        "Niemand;;;\n"
        "Bram;bram@example.nl;;Flyer\n",
    )
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_leads", "kracht-utrecht", str(path), stdout=out)
    assert str(failed.value) == "2 imported, 0 merged into open leads, 1 rejected, 2 imported with a warning"
    assert out.getvalue() == (
        f'{path}: line 2: warning: E-mail address "eva@@example" is invalid: the lead was imported without '
        "an e-mail address, the address is kept with the answers.\n"
        f'{path}: line 2: warning: Source "flyer" is unknown: the lead is filed under "Other", the word is kept '
        "with the answers.\n"
        f"{path}: line 3: a lead needs an e-mail address or a phone number\n"
        f'{path}: line 4: warning: Source "Flyer" is unknown: the lead is filed under "Other", the word is kept '
        "with the answers.\n"
    )


def test_import_command_with_only_warnings_exits_0(cast, tmp_path, command_line, capsys):
    path = csv_file(tmp_path, "email,bron\neva@example.nl,flyer\n")
    command_line("import-leads", "kracht-utrecht", str(path))  # returns: exit status 0
    assert capsys.readouterr().out == (
        f'{path}: line 2: warning: Source "flyer" is unknown: the lead is filed under "Other", the word is kept '
        "with the answers.\n"
        "1 imported, 0 merged into open leads, 0 rejected, 1 imported with a warning\n"
    )


@pytest.fixture
def command_line(monkeypatch):
    """Runs `vollegym ARGS…` in this process, so the command sees the test's database."""
    from django.db import connections

    from vollegym.__main__ import main

    # A command closes the connections when it ends; inside a test's transaction that would throw the
    # test's own data away, so here the connection stays (as in `run_tasks`).
    monkeypatch.setattr(connections, "close_all", lambda: None)
    # `main()` fills in the demo's settings when the environment names no database and no key; settings are
    # loaded already, and the environment must not keep them for later tests (which start subprocesses).
    monkeypatch.setenv("SECRET_KEY", "test-only-key")

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["vollegym", *args])
        main()

    return run


def test_import_command_prints_a_summary_and_exits_0_when_every_row_is_imported(
    cast, tmp_path, command_line, capsys
):
    path = csv_file(tmp_path, "email\neva@example.nl\nbram@example.nl\n")
    command_line("import-leads", "kracht-utrecht", str(path))  # returns: exit status 0
    assert capsys.readouterr().out == "2 imported, 0 merged into open leads, 0 rejected\n"
    assert Lead.objects.for_studio(cast.studio).count() == 2


def test_import_command_exits_1_on_the_command_line_when_a_row_is_rejected(
    cast, tmp_path, command_line, capsys
):
    path = csv_file(tmp_path, "email\ngeen-mail\n")
    with pytest.raises(SystemExit) as exited:
        command_line("import-leads", "kracht-utrecht", str(path))
    assert exited.value.code == 1
    printed = capsys.readouterr()
    assert printed.out == f"{path}: line 2: 'geen-mail' is not an e-mail address\n"
    assert printed.err == "CommandError: 0 imported, 0 merged into open leads, 1 rejected\n"


def test_import_command_refuses_an_unknown_studio_a_missing_file_and_a_file_without_contacts(cast, tmp_path):
    path = csv_file(tmp_path, "naam\nEva\n")
    with pytest.raises(CommandError, match=r"^no studio with slug nergens$"):
        call_command("import_leads", "nergens", str(path))
    missing = tmp_path / "bestaat-niet.csv"
    with pytest.raises(
        CommandError, match=f"^{re.escape(str(missing))}: cannot read the file: No such file or directory$"
    ):
        call_command("import_leads", "kracht-utrecht", str(missing))
    with pytest.raises(CommandError) as refused:
        call_command("import_leads", "kracht-utrecht", str(path))
    assert str(refused.value).startswith(
        f"{path}: the file has no e-mail or phone column; found the columns 'naam'"
    )
    assert refused.value.returncode == 1


def test_import_command_reports_a_crash_and_imports_nothing(cast, tmp_path, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "lead_capture", crash)
    path = csv_file(tmp_path, "email\neva@example.nl\n")
    with pytest.raises(CommandError) as failed:
        call_command("import_leads", "kracht-utrecht", str(path))
    assert str(failed.value) == f"{path}: the import failed, nothing was imported: RuntimeError('disk full')"
    assert Lead.objects.for_studio(cast.studio).count() == 0


# The page


def upload(user, text, *, name="leads.csv"):
    return client_for(user).post(
        URL, {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")}
    )


def test_an_owner_uploads_a_file_and_sees_what_was_imported_and_what_was_rejected(cast):
    page = client_for(cast.owner).get(URL)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    response = upload(
        cast.owner, "naam;email\nEva;eva@example.nl\nNiemand;\nEva;eva@example.nl\nBram;geen-mail\n"
    )
    assert response.status_code == 200
    assert response.context["report"].rejected == [
        (3, "a lead needs an e-mail address or a phone number"),
        (5, "'geen-mail' is not an e-mail address"),
    ]
    text = response.text
    assert "<dt>Geïmporteerd</dt><dd>1</dd>" in text
    assert "<dt>Samengevoegd met een open lead</dt><dd>1</dd>" in text
    assert "<tr><td>3</td><td>a lead needs an e-mail address or a phone number</td></tr>" in text
    assert "<tr><td>5</td><td>&#x27;geen-mail&#x27; is not an e-mail address</td></tr>" in text
    lead = Lead.objects.for_studio(cast.studio).get()
    assert Activity.objects.for_studio(cast.studio).get(lead=lead, kind="created").by == cast.owner


def test_the_page_lists_rows_imported_with_a_warning_by_line(cast):
    response = upload(cast.owner, "naam;email;telefoon;bron\nEva;eva@@example;06 12345678;flyer\nBram;;;\n")
    assert response.status_code == 200
    text = response.text
    assert "<dt>Geïmporteerd</dt><dd>1</dd>" in text and "<dt>Afgewezen</dt><dd>1</dd>" in text
    assert "<h2>Geïmporteerd met een waarschuwing</h2>" in text
    assert (
        "<tr><td>2</td><td>E-mailadres &quot;eva@@example&quot; is ongeldig: de lead is zonder e-mailadres "
        "geïmporteerd, het adres staat bij de antwoorden.</td></tr>"
    ) in text
    assert (
        "<tr><td>2</td><td>Bron &quot;flyer&quot; is onbekend: de lead staat onder &quot;Anders&quot;, "
        "het woord staat bij de antwoorden.</td></tr>"
    ) in text
    assert "<tr><td>3</td><td>a lead needs an e-mail address or a phone number</td></tr>" in text


def test_a_refused_file_is_explained_on_the_page(cast):
    response = upload(cast.owner, "Naam;Leeftijd\nEva;34\n")
    assert "Dit bestand is niet ingelezen: the file has no e-mail or phone column" in response.text
    assert response.context["report"] is None


def test_a_crash_during_an_upload_shows_an_error_and_imports_nothing(cast, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "lead_capture", crash)
    response = upload(cast.owner, "email\neva@example.nl\n")
    assert response.status_code == 200
    assert "Het inlezen is mislukt; er is niets geïmporteerd." in response.text
    assert Lead.objects.for_studio(cast.studio).count() == 0


def test_the_agency_may_import_but_a_coach_may_not(cast):
    assert client_for(cast.agency).get(URL).status_code == 200
    assert upload(cast.agency, "email\neva@example.nl\n").status_code == 200
    assert client_for(cast.coach).get(URL).status_code == 404
    assert upload(cast.coach, "email\nbram@example.nl\n").status_code == 404
    assert [lead.email for lead in leads_of(cast.studio)] == ["eva@example.nl"]


def test_the_import_page_of_another_studio_is_a_404(cast):
    assert_other_studio_gets_404(URL, cast.outsider)
    assert_other_studio_gets_404(URL, cast.outsider, method="post")


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login(cast, client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
