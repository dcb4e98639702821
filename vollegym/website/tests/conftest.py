from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
PT_SEED = "000_fb7459373afdf4a4.txt"
SG_SEED = "003_85e492ffd54c8a5a.txt"


@pytest.fixture
def seeds_dir() -> Path:
    """The seeds folder itself, exactly as given: two pages (.txt) and a README."""
    if not (SEEDS / PT_SEED).is_file() or not (SEEDS / SG_SEED).is_file():
        pytest.fail(f"the seed pages are expected in {SEEDS}")
    return SEEDS


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
