import random
import secrets
import time
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vollegym.core.generator import spec as specs
from vollegym.core.generator.run import (
    agency_login,
    generated_studios,
    is_generated,
    login_email,
    numbered_studios,
    studio_generate,
    studios_remove,
)
from vollegym.studios.models import slug_validator

MAX_STUDIOS = 500
MAX_YEARS = 10


class Command(BaseCommand):
    help = (
        "Fills the database with generated studios with years of realistic history (benchmark data): leads from "
        "every source with their campaigns and ad spend, intakes, conversations, members, enrolments at locked "
        "prices, classes and attendance, playbooks, referrals, ratings, measurements. Deterministic from the seed; "
        "sends no messages."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--studios", type=int, default=50, help="how many studios (default: %(default)s)")
        parser.add_argument("--years", type=int, default=3, help="years of history (default: %(default)s)")
        parser.add_argument("--seed", type=int, default=1, help="the same seed makes the same studios")
        parser.add_argument(
            "--prefix",
            default="gen",
            help="the studios' slugs are <prefix>-01, <prefix>-02, … (default: gen)",
        )
        parser.add_argument(
            "--password", help="the password of every generated login (default: a new one, printed)"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete this prefix's generated studios first and make them again",
        )
        parser.add_argument(
            "--agency", action="store_true", help="also make an agency login bureau@<prefix>.example.nl"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count, years, seed, prefix = options["studios"], options["years"], options["seed"], options["prefix"]
        if not 1 <= count <= MAX_STUDIOS:
            raise CommandError(f"--studios takes 1 to {MAX_STUDIOS}")
        if not 1 <= years <= MAX_YEARS:
            raise CommandError(f"--years takes 1 to {MAX_YEARS}")
        try:
            slug_validator(prefix)
        except Exception as exc:
            raise CommandError("--prefix: lower-case letters, digits and hyphens, such as 'gen'") from exc
        if len(prefix) > 40:
            raise CommandError("--prefix: at most 40 characters")
        password = options["password"] or secrets.token_urlsafe(12)
        hashed = make_password(password)  # once: a hash per login would take longer than the data
        started = time.monotonic()
        foreign = [s.slug for s in numbered_studios(prefix) if not is_generated(s)]
        if foreign:
            raise CommandError(
                f"{', '.join(foreign[:5])}: a studio with that slug exists and was not generated; choose another --prefix"
            )
        existing = {studio.slug for studio in generated_studios(prefix)}
        if options["replace"] and existing:
            self.stdout.write(f"Deleting {len(existing)} studios with prefix {prefix!r} …")
            studios_remove(generated_studios(prefix))
            existing = set()
        made, rows = 0, 0
        for number in range(1, count + 1):
            spec = specs.realistic(number, prefix=prefix, rng=random.Random(f"vollegym-spec-{seed}-{number}"))
            if spec.slug in existing:
                self.stdout.write(f"{spec.slug}: already there, left as it is (--replace makes it again)")
                continue
            gen, seconds = studio_generate(spec, seed=seed, years=years, password_hash=hashed)
            plan, written = gen.plan, sum(gen.rows.values())
            made, rows = made + 1, rows + written
            self.stdout.write(
                f"{spec.slug} {spec.name}: {len(plan.leads):,} leads, {len(plan.members):,} members, "
                f"{len(plan.runs):,} enrolments, {len(plan.sessions):,} class sessions, "
                f"{sum(len(s.mats) for s in plan.sessions):,} mats; {written:,} rows in {seconds:.1f} s"
            )
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Made {made} studios ({years} years of history, seed {seed}): {rows:,} rows in {seconds:.1f} s."
            )
        )
        self.stdout.write(
            "No message was sent: the history is written as rows, nothing goes through the outbox."
        )
        logins = [
            f"  {login_email(f'{prefix}-NN', 'eigenaar')}  (owner of studio {prefix}-NN)",
            f"  {login_email(f'{prefix}-NN', 'coach')}  (coach of studio {prefix}-NN)",
        ]
        if options["agency"]:
            logins.append(f"  {agency_login(prefix, hashed)}  (agency: every studio)")
        if not made and not options["agency"]:
            return  # nothing made now: no new password to tell
        shown = "the one given with --password" if options["password"] else password
        kept = "; studios that were already there keep theirs" if existing else ""
        self.stdout.write(f"Logins (password {shown}{kept}):")
        for line in logins:
            self.stdout.write(line)
