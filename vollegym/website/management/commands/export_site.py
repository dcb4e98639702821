import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client, override_settings

from vollegym.website.site import current_site


class Command(BaseCommand):
    help = "Writes the public site (pages, kennisbank, sitemap, robots.txt, static files) to a folder, for a CDN."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir")
        parser.add_argument("--base-url", default="", help="public URL of the site (default: SITE_URL)")

    def handle(self, *args: Any, outdir: str, base_url: str, **options: Any) -> None:
        base = (base_url or settings.SITE_URL).rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise CommandError("give the site's public URL with --base-url https://… (or set SITE_URL)")
        out = Path(outdir)
        site = current_site()
        if site.errors:
            self.stderr.write(
                f"{len(site.errors)} content errors; pages with errors are left out (see check-content)"
            )
        # The privacy statement too: every page's footer links it.
        paths = ["/kennisbank/", "/privacy/", "/robots.txt", "/sitemap.xml", *sorted(site.pages)]
        client = Client(HTTP_HOST=parts.netloc, headers={"X-Forwarded-Proto": parts.scheme})
        written = 0
        with override_settings(SITE_URL=base, ALLOWED_HOSTS=[parts.netloc], SECURE_SSL_REDIRECT=False):
            for path in paths:
                response = client.get(path, secure=parts.scheme == "https")
                if response.status_code != 200:
                    raise CommandError(f"{path}: the application answered {response.status_code}")
                target = out / path.lstrip("/")
                if path.endswith("/"):
                    target = target / "index.html"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(response.content)
                written += 1
            missing = client.get("/__export-404__/", secure=parts.scheme == "https")
            (out / "404.html").write_bytes(missing.content)
        static_out = out / settings.STATIC_URL.strip("/")
        if isinstance(staticfiles_storage, ManifestFilesMixin):
            # Pages name the hashed files: copy what collectstatic made.
            if not Path(settings.STATIC_ROOT).is_dir():
                raise CommandError("run `vollegym collectstatic` first: the pages link to its hashed files")
            shutil.copytree(settings.STATIC_ROOT, static_out, dirs_exist_ok=True)
            self.stdout.write(self.style.SUCCESS(f"{written} files and the static files written to {out}"))
            return
        for finder in finders.get_finders():
            for relative, storage in finder.list([]):
                destination = static_out / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                with storage.open(relative) as source, destination.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
        self.stdout.write(self.style.SUCCESS(f"{written} files and the static files written to {out}"))
