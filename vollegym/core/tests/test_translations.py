import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries() -> list[tuple[str, str]]:
    text = PO.read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', text, flags=re.M)
    join = lambda block: "".join(re.findall(r'"(.*)"', block))  # noqa: E731
    return [(join(a), join(b)) for a, b in pairs if join(a)]


def test_every_dutch_string_has_an_english_translation():
    entries = _entries()
    assert len(entries) > 40
    assert [msgid for msgid, msgstr in entries if not msgstr] == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8").split("\n\n", 1)[1]


def test_the_compiled_catalogue_matches_the_po_file():
    with translation.override("en"):
        for msgid, msgstr in _entries():
            assert translation.gettext(msgid.replace('\\"', '"')) == msgstr.replace('\\"', '"'), msgid
