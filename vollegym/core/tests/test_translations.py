import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries() -> list[tuple[str, str, str]]:
    """(context, msgid, msgstr) of every entry but the header."""
    text = PO.read_text(encoding="utf-8")
    found = re.findall(r'^(?:msgctxt "(.*)"\n)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', text, flags=re.M)
    join = lambda block: "".join(re.findall(r'"(.*)"', block))  # noqa: E731
    return [(context, join(a), join(b)) for context, a, b in found if join(a)]


def _unescape(text: str) -> str:
    """A .po string as the program sees it: its escaped quotes, line breaks and backslashes undone."""
    return text.replace("\\\\", "\x00").replace('\\"', '"').replace("\\n", "\n").replace("\x00", "\\")


def test_every_dutch_string_has_an_english_translation():
    entries = _entries()
    assert len(entries) > 40
    assert [msgid for _context, msgid, msgstr in entries if not msgstr] == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8").split("\n\n", 1)[1]


def test_the_compiled_catalogue_matches_the_po_file():
    with translation.override("en"):
        for context, msgid, msgstr in _entries():
            source = _unescape(msgid)
            translated = translation.pgettext(context, source) if context else translation.gettext(source)
            assert translated == _unescape(msgstr), msgid
