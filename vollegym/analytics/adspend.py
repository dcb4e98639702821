"""Ad spend: typing a month of a campaign, importing an export (a campaign's month replaces what was there, so the
same file twice never doubles), and what the spend bought: cost per lead, per booked conversation, per new member
(CAC), and the months it takes a member to pay that back.

Spend meets leads by campaign name, case and spaces aside ("Najaar 40+" is "najaar 40 +"), or by the platform's
campaign number (a Google lead form gives only that), and by month: a lead counts for the month it came in, also
when it became a member later. A lead's campaign is the one its door gave, else its utm_campaign.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.db import transaction
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from vollegym.analytics.adspend_import import Parsed, Rejected, parse_export
from vollegym.analytics.models import AdSpend, campaign_key
from vollegym.analytics.money import MoneyReport, months_between, next_month
from vollegym.core import clock
from vollegym.intake.models import Booking
from vollegym.leads.models import Lead
from vollegym.programs.models import Member
from vollegym.studios.models import Studio, User


@dataclass
class ImportReport:
    file_name: str
    platform: str
    created: int = 0
    replaced: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    totals_skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    months: list[date] = field(default_factory=list)

    @property
    def platform_label(self) -> str:
        return str(AdSpend.Platform(self.platform).label)


def _upsert(
    *, studio: Studio, platform: str, campaign: str, ref: str, month: date, cents: int, source: str,
    file_name: str, by: User | None,
) -> bool:  # fmt: skip
    """Writes one campaign's month, replacing what was there; True when it is new."""
    row = AdSpend(
        studio=studio, platform=platform, campaign=campaign, campaign_ref=ref, month=month, amount_cents=cents,
        source=source, file_name=file_name[:200], updated_by=by, updated_at=clock.now(),
    )  # fmt: skip
    row.campaign_key = campaign_key(campaign)
    row.full_clean(exclude=["studio", "updated_by"], validate_unique=False, validate_constraints=False)
    _row, created = AdSpend.objects.update_or_create(
        studio=studio, platform=platform, campaign_key=campaign_key(campaign), month=month,
        defaults={
            "campaign": campaign, "amount_cents": cents, "source": source, "file_name": row.file_name,
            "updated_by": by, "updated_at": row.updated_at, "currency": "EUR",
            **({"campaign_ref": ref} if ref else {}),
        },
    )  # fmt: skip
    return created


@transaction.atomic
def adspend_import(*, studio: Studio, data: bytes, file_name: str, by: User | None = None) -> ImportReport:
    """Imports a Meta or Google export: each campaign's month in the file replaces the one stored (never adds to it);
    refused rows are reported by line and field, the others imported."""
    parsed: Parsed = parse_export(data)
    report = ImportReport(
        file_name=file_name, platform=parsed.platform, rejected=parsed.rejected,
        totals_skipped=parsed.totals_skipped, warnings=parsed.warnings,
    )  # fmt: skip
    months = set()
    for line in parsed.per_month().values():
        created = _upsert(
            studio=studio, platform=parsed.platform, campaign=line.campaign, ref=line.ref, month=line.month,
            cents=line.cents, source=AdSpend.Source.IMPORTED, file_name=file_name, by=by,
        )  # fmt: skip
        months.add(line.month)
        if created:
            report.created += 1
        else:
            report.replaced += 1
    report.months = sorted(months)
    return report


@transaction.atomic
def adspend_save(
    *, studio: Studio, platform: str, campaign: str, month: date, amount_cents: int, by: User | None = None
) -> bool:
    """A month of a campaign typed in; typing the same campaign and month again replaces it. True when new."""
    return _upsert(
        studio=studio, platform=platform, campaign=campaign.strip(), ref="", month=month.replace(day=1),
        cents=amount_cents, source=AdSpend.Source.TYPED, file_name="", by=by,
    )  # fmt: skip


@transaction.atomic
def adspend_delete(*, studio: Studio, spend_id: int) -> bool:
    """Removes one month of a campaign (of this studio only); False when there was no such row."""
    deleted, _kinds = AdSpend.objects.for_studio(studio).filter(pk=spend_id).delete()
    return bool(deleted)


# ---- what the spend bought ----------------------------------------------------------------------------------------


@dataclass
class Bought:
    """Spend and what came of the leads of the same campaigns and months."""

    label: str
    spend_cents: int = 0
    leads: int = 0
    booked: int = 0
    won: int = 0
    platforms: set[str] = field(default_factory=set)

    @staticmethod
    def _per(cents: int, count: int) -> float | None:
        return cents / count if count else None

    @property
    def per_lead(self) -> float | None:
        return self._per(self.spend_cents, self.leads)

    @property
    def per_booked(self) -> float | None:
        return self._per(self.spend_cents, self.booked)

    @property
    def cac(self) -> float | None:
        return self._per(self.spend_cents, self.won)


@dataclass(frozen=True)
class SpendReport:
    first_month: date
    last_month: date
    total: Bought
    campaigns: list[Bought]  # campaigns with spend, the largest first
    months: list[tuple[date, Bought]]
    spend_without_leads: list[Bought]  # a name that matches no lead: often a typo on one side
    leads_without_spend: list[tuple[str, int]]  # campaign as the leads have it, how many
    rows: list[AdSpend]  # the stored months, to correct or remove
    money: MoneyReport | None = None

    @property
    def payback_months(self) -> float | None:
        """CAC divided by what a member brings per month: the months until a new member has paid their ad."""
        per_month = self.money.per_month_cents if self.money else None
        cac = self.total.cac
        return cac / per_month if cac is not None and per_month else None

    @property
    def ltv_per_cac(self) -> float | None:
        ltv = self.money.ltv_cents if self.money else None
        cac = self.total.cac
        return ltv / cac if ltv is not None and cac else None


def _lead_campaign(campaign: str, utm: object) -> str:
    if campaign.strip():
        return campaign.strip()
    found = utm.get("utm_campaign", "") if isinstance(utm, dict) else ""
    return found.strip() if isinstance(found, str) else ""


def spend_report(
    studio: Studio, *, first_month: date, last_month: date, money: MoneyReport | None = None
) -> SpendReport:
    """The spend of the months from `first_month` to `last_month`, set against the leads of those campaigns and
    months and what became of them."""
    months = months_between(first_month, last_month)
    rows = list(AdSpend.objects.for_studio(studio).filter(month__gte=months[0], month__lte=months[-1]))
    by_ref = {row.campaign_ref: row.campaign_key for row in rows if row.campaign_ref}
    spend: dict[tuple[str, date], int] = defaultdict(int)
    names: dict[str, str] = {}
    platforms: dict[str, set[str]] = defaultdict(set)
    for row in sorted(rows, key=lambda r: r.month):
        spend[(row.campaign_key, row.month)] += row.amount_cents
        names[row.campaign_key] = row.campaign
        platforms[row.campaign_key].add(row.platform)
    zone = studio.zone
    start = clock.wall_time(months[0], time(0), zone) or clock.now()
    end = clock.wall_time(next_month(months[-1]), time(0), zone) or clock.now()
    in_range = Lead.objects.for_studio(studio).real().filter(created_at__gte=start, created_at__lt=end)
    # The day each came in on the studio's calendar, from the database: no moment is read.
    leads = list(
        in_range.annotate(day=TruncDate("created_at", tzinfo=zone)).values_list(
            "id", "campaign", "utm", "day"
        )
    )
    ids = in_range.values("pk")  # a subquery: no list of ids travels
    booked = set(
        Booking.objects.for_studio(studio)
        .filter(lead_id__in=ids)
        .order_by()
        .values_list("lead_id", flat=True)
    )
    won = set(
        Member.objects.for_studio(studio).filter(lead_id__in=ids).order_by().values_list("lead_id", flat=True)
    )
    per_campaign: dict[str, Bought] = {key: Bought(names[key], platforms=platforms[key]) for key in names}
    per_month = {month: Bought(f"{month:%Y-%m}") for month in months}
    total = Bought(_("Alle campagnes"))
    unmatched: dict[str, list[str]] = defaultdict(list)
    for (key, month), cents in spend.items():
        for bought in (per_campaign[key], per_month[month], total):
            bought.spend_cents += cents
    for lead_id, campaign, utm, day in leads:
        name = _lead_campaign(campaign, utm)
        if not name:
            continue
        key = campaign_key(name)
        key = key if key in per_campaign else by_ref.get(name, key)
        if key not in per_campaign:
            unmatched[key].append(name)
            continue
        month = day.replace(day=1)
        for bought in (per_campaign[key], per_month[month], total):
            bought.leads += 1
            bought.booked += lead_id in booked
            bought.won += lead_id in won
    campaigns = sorted(per_campaign.values(), key=lambda b: (-b.spend_cents, b.label))
    return SpendReport(
        first_month=months[0], last_month=months[-1], total=total,
        campaigns=[b for b in campaigns if b.spend_cents or b.leads],
        months=list(per_month.items()),
        spend_without_leads=[b for b in campaigns if b.spend_cents and not b.leads],
        leads_without_spend=sorted(((names_[0], len(names_)) for names_ in unmatched.values()),
                                   key=lambda pair: (-pair[1], pair[0])),
        rows=sorted(rows, key=lambda r: (r.month, r.campaign_key, r.platform), reverse=True), money=money,
    )  # fmt: skip


def last_months(today: date, count: int = 12) -> tuple[date, date]:
    """The first days of the month `count - 1` months back and of this month."""
    first = today.replace(day=1)
    for _n in range(count - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, today.replace(day=1)
