"""What the benchmarks of `make bench` share: the production server on loopback, its environment, CPU
accounting from /proc, and the facts about the machine a section reports.

bench/run.py and bench/leadbench.py import this as a top-level module (bench/ is the script's folder).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


class BenchError(Exception):
    """Something failed: the benchmark's numbers would mean nothing."""


@dataclass
class Section:
    """A benchmark's result: its Markdown section and the goals it missed."""

    markdown: str
    warnings: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """A production configuration on plain HTTP, built from scratch so the caller's environment
    (DEBUG, CACHE_URL, WEB_CONCURRENCY, ...) cannot change what is measured."""
    env = {name: value for name, value in os.environ.items() if name in {"PATH", "HOME", "LANG", "TMPDIR"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "vollegym.config.settings",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_PROXY_SSL_HEADER": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "VOLLEGYM_VAR_DIR": str(var_dir),
            # Production refuses to start without it (links in mails); the bench's mails are never clicked.
            "SITE_URL": f"http://{HOST}",
            "DATABASE_URL": f"sqlite:///{var_dir / 'bench.sqlite3'}",
            # Keeps gunicorn's control socket out of ~/.gunicorn, where a running server has its own.
            "GUNICORN_CMD_ARGS": f"--control-socket {var_dir / 'gunicorn.ctl'}",
        }
    )
    env.update(extra)
    return env


def run_python(env: dict[str, str], *args: str, what: str) -> bytes:
    """Runs the project's Python with args; returns its stdout, or raises with its output."""
    result = subprocess.run(
        [sys.executable, *args], env=env, cwd=PROJECT_DIR, capture_output=True, timeout=300, check=False
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).decode(errors="replace").strip()
        raise BenchError(f"{what} failed (exit {result.returncode}):\n{output}")
    return result.stdout


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


def http_get(port: int, path: str, timeout: float = 10.0) -> Response:
    """A plain GET on loopback (http.client, so no proxy from the environment gets in the way)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return Response(response.status, response.read())
    finally:
        conn.close()


@dataclass
class Server:
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def serve(env: dict[str, str], port: int, workers: int, threads: int, log: Path) -> Iterator[Server]:
    """The production server (`vollegym serve`: collectstatic, then gunicorn) until the block ends, however
    it ends. The server gets its own process group, so a Ctrl-C reaches this script and it stops the server."""
    argv = [sys.executable, "-m", "vollegym", "serve", "--host", HOST, "--port", str(port)]
    argv += ["--workers", str(workers), "--threads", str(threads)]
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            argv, env=env, cwd=PROJECT_DIR, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(port, log, process)
    try:
        wait_until_ready(server)
        yield server
    finally:
        stop(process)


def wait_until_ready(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"the server exited with {server.process.returncode}:\n{server.log_tail()}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if http_get(server.port, "/healthz", timeout=2).status == 200:
                return
        time.sleep(0.2)
    raise BenchError(f"the server did not answer /healthz within {timeout:.0f} s:\n{server.log_tail()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to gunicorn's master, which stops its workers gracefully; SIGKILL to its process group when
    that takes over 20 s or a second Ctrl-C comes."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        print(f"killing the server's process group {process.pid}", file=sys.stderr)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(pgid: int) -> float | None:
    """User and system CPU of the live processes of a process group (from Linux's /proc), or None."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    ticks = 0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command, which may hold spaces
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[2]) == pgid:  # fields: state, ppid, pgrp, ..., utime (11), stime (12)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / _CLOCK_TICKS


def machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine spent busy since boot, over all cores (Linux's /proc/stat), or None."""
    try:
        ticks = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + ticks[4]  # idle, iowait; the others: user, nice, system, irq, softirq (not steal)
    return (sum(ticks) - idle) / _CLOCK_TICKS


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def git_revision() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} with uncommitted changes" if dirty else head
