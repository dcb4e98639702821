"""`make lighthouse`: Lighthouse (npm, tools/lighthouse) in Debian's chromium against the production server.

The public pages as a visitor, and the numbers pages (overview, funnel, members and money, ad spend, growth) signed
in as the demo owner: a session made for them in the server's database, sent as a cookie with every request.
Scores go to docs/lighthouse.md; exits 1 when a category of a page scores below the goal.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import free_port, production_env, run_python, serve  # noqa: E402

GOAL = 95
PAGES = [
    ("home page", "/"),
    ("service page", "/fitness-leads-opvolgen/"),
    ("kennisbank post", "/kennisbank/intake-in-plaats-van-proefles/"),
    ("kennisbank index", "/kennisbank/"),
    ("studio intake, first step", "/s/demo/intake/"),
    ("agency intake, first step", "/intake/"),
]
# Signed in as the demo owner (vollegym/studios/demo.py).
NUMBERS = [
    ("overview", "/app/demo/"),
    ("funnel", "/app/demo/cijfers/funnel/"),
    ("members and money", "/app/demo/cijfers/leden/"),
    ("ad spend", "/app/demo/cijfers/advertenties/"),
    ("growth simulator", "/app/demo/cijfers/groei/"),
]
OWNER = "eigenaar@demo.vollegym.nl"
# Signed in as the agency: every studio in one table.
AGENCY_PAGES = [("agency portfolio", "/app/bureau/")]
AGENCY = "bureau@vollegym.nl"
# A session for the owner, as signing in would leave it (its user, backend and password hash), made by the server's
# own Django so its cookie name and session engine are the production ones.
SESSION = """
import django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from vollegym.studios.models import User
user = User.objects.get(email=%r)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
"""
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PRIVATE = "is-crawlable"  # left out on the signed-in pages
TOOL = ROOT / "tools" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)


def lighthouse_binary() -> Path:
    binary = TOOL / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if shutil.which("npm") is None:
            sys.exit("npm is needed for Lighthouse: apt-get install nodejs npm")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=TOOL, check=True)
    return binary


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        sys.exit("Debian's chromium is needed: apt-get install chromium")
    return found


def audit(binary: Path, url: str, out: Path, attempts: int = 2, cookie: str = "") -> dict[str, int]:
    """Scores of one page; a run where Chrome itself falls over is tried once more."""
    for attempt in range(1, attempts + 1):
        try:
            return _audit_once(binary, url, out, cookie)
        except RuntimeError as exc:
            if attempt == attempts:
                raise SystemExit(str(exc)) from None
            print(f"{exc}\ntrying again", file=sys.stderr)
    raise AssertionError("unreachable")


def _audit_once(binary: Path, url: str, out: Path, cookie: str = "") -> dict[str, int]:
    # Signed in: the cookie, and no "is the page crawlable" audit, since the back office is kept out of search on
    # purpose (robots.txt disallows /app/, every page says noindex); the other SEO audits still count.
    headers = (
        [f"--extra-headers={json.dumps({'Cookie': cookie})}", f"--skip-audits={PRIVATE}"] if cookie else []
    )
    result = subprocess.run(
        [
            str(binary), url, "--output=json", f"--output-path={out}",
            f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(CATEGORIES), *headers,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": chromium(), "HOME": str(out.parent)},
    )  # fmt: skip
    if result.returncode != 0:
        tail = "\n".join(line for line in result.stderr.splitlines() if "ERR:error DOM" not in line)[-3000:]
        raise RuntimeError(f"lighthouse failed on {url} (exit {result.returncode}):\n{tail}")
    report = json.loads(out.read_text())
    final = report.get("finalDisplayedUrl") or report.get("finalUrl") or url
    if final.split("?")[0] != url.split("?")[0]:
        # Sent on (to the sign-in page): the scores would be another page's.
        raise SystemExit(f"lighthouse was sent from {url} to {final}")
    return {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}


def main(only: list[str]) -> int:
    """Every page, written to docs/lighthouse.md; or only the paths given, printed (while fixing a page)."""
    binary = lighthouse_binary()
    rows: list[tuple[str, str, dict[str, int]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = production_env(Path(tmp))
        run_python(env, "-m", "vollegym", "migrate", "--verbosity", "0", what="migrate")
        run_python(env, "-m", "vollegym", "demo", "--no-serve", what="loading the demo data")
        cookie = run_python(env, "-c", SESSION % OWNER, what="signing in the demo owner").decode().strip()
        agency = run_python(env, "-c", SESSION % AGENCY, what="signing in the agency").decode().strip()
        with serve(env, free_port(), workers=2, threads=4, log=Path(tmp) / "server.log") as server:
            pages = [(n, p, "") for n, p in PAGES] + [(n, p, cookie) for n, p in NUMBERS]
            pages += [(n, p, agency) for n, p in AGENCY_PAGES]
            for name, path, sent in [page for page in pages if not only or page[1] in only]:
                scores = audit(binary, server.url(path), Path(tmp) / "report.json", cookie=sent)
                rows.append((name, path, scores))
                print(f"{name:26} {path:44} " + "  ".join(f"{c} {s}" for c, s in scores.items()))
    failed = [(n, c, s) for n, _, scores in rows for c, s in scores.items() if s < GOAL]
    if only:
        return 1 if failed else 0
    lines = [
        "# Lighthouse scores",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} by `make lighthouse`: Lighthouse "
        f"{json.loads((TOOL / 'package.json').read_text())['dependencies']['lighthouse']} (mobile, simulated "
        "throttling) in Debian's chromium, against the production server (gunicorn, DEBUG off) with the bundled "
        f"demo content; the numbers pages (from the overview on) signed in as the demo owner ({OWNER}) and the "
        f"portfolio as the agency ({AGENCY}), without "
        f"the `{PRIVATE}` audit: the back office is kept out of search engines on purpose (robots.txt disallows "
        f"`/app/` and its pages say noindex), every other SEO audit counts. Goal: at least {GOAL} in every category.",
        "",
        "| page | path | " + " | ".join(CATEGORIES) + " |",
        "|---|---|" + "---:|" * len(CATEGORIES),
    ]
    lines += [f"| {n} | `{p}` | " + " | ".join(str(s[c]) for c in CATEGORIES) + " |" for n, p, s in rows]
    lines += ["", "Below the goal: " + (", ".join(f"{n} {c} {s}" for n, c, s in failed) or "nothing."), ""]
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "lighthouse.md").write_text("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
