from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
PT_SEED = "000_fb7459373afdf4a4.txt"
SG_SEED = "003_85e492ffd54c8a5a.txt"


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """The two seed pages exactly as given, in a content folder of their own (as .md files)."""
    if not SEEDS.is_dir():
        pytest.fail(f"the seed pages are expected at {SEEDS}")
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name, target in (
        (PT_SEED, "personal-training-klanten-werven.md"),
        (SG_SEED, "small-group-leden-werven.md"),
    ):
        (folder / target).write_bytes((SEEDS / name).read_bytes())
    return folder


@pytest.fixture
def content(settings, tmp_path: Path):
    """Serve a folder of pages: `content(path)` points the site at it."""

    def use(folder: Path) -> Path:
        settings.VOLLEGYM_CONTENT_DIR = folder
        return folder

    return use


def write_page(folder: Path, name: str, front: str, body: str = "# Kop\n\nTekst.\n") -> Path:
    path = folder / name
    path.write_text(f"---\n{front.strip()}\n---\n{body}", encoding="utf-8")
    return path
