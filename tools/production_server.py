"""The production server (`vollegym serve`, gunicorn, DEBUG off) on a free loopback port, for measurements.

Used by `make lighthouse` and `make bench`: a fresh SQLite database in a temporary folder, migrated, the
server started, waited for, and stopped again however the block ends.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "measurement-only-key-not-secret-0123456789abcdefghijklmnop",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_PROXY_SSL_HEADER": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "VOLLEGYM_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'measure.sqlite3'}",
        **extra,
    }


@contextmanager
def production_server(
    var_dir: Path,
    *,
    workers: int = 2,
    threads: int = 4,
    extra_env: dict[str, str] | None = None,
    demo_data: bool = False,
) -> Iterator[str]:
    """Yields the base URL of a running production server; stops it on the way out."""
    env = production_env(var_dir, **(extra_env or {}))
    vollegym = [sys.executable, "-m", "vollegym"]
    subprocess.run([*vollegym, "migrate", "--verbosity", "0"], env=env, check=True)
    if demo_data:
        subprocess.run([*vollegym, "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    log = (var_dir / "server.log").open("wb")
    server = subprocess.Popen(
        [*vollegym, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
         "--threads", str(threads)],
        env={**env, "LOG_LEVEL": "WARNING"}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base_url + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start; see {var_dir / 'server.log'}")
            time.sleep(0.2)
        yield base_url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        log.close()
