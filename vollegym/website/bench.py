"""The framework's floor for `make bench`: a bare view that returns fixed bytes (the same bytes as a page)."""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse

_BODY = Path(os.environ["VOLLEGYM_BENCH_FILE"]).read_bytes() if os.environ.get("VOLLEGYM_BENCH_FILE") else b""


def bare_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_BODY, content_type="text/html; charset=utf-8")
