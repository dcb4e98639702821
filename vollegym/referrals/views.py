"""Referrals: the link a friend opens, the member's own page with link and QR code, and the owner's report."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vollegym.core.back import back_to
from vollegym.core.qr import qr_svg
from vollegym.intake.selectors import intake_url
from vollegym.intake.views import load_studio
from vollegym.programs.models import Member
from vollegym.referrals import selectors
from vollegym.referrals.forms import ReferralSettingsForm
from vollegym.referrals.models import Referral
from vollegym.referrals.services import (
    ReferralError,
    referral_link_for,
    referral_reward_give,
    referral_settings_for,
    referral_settings_update,
    referral_url,
    referral_visit,
)
from vollegym.studios.access import role_of, studio_of, studio_view, user_of
from vollegym.studios.models import Studio

OWNERS = frozenset({"owner"})


def session_key(studio_slug: str) -> str:
    """Where a visitor's referral code waits for their intake (per studio, so two studios never mix)."""
    return f"referral:{studio_slug}"


@never_cache
def visit(request: HttpRequest, studio: str, code: str) -> HttpResponse:
    """A friend's link: remembered for the intake, which then credits the member; an unknown code still leads on."""
    found = load_studio(studio)
    link = referral_visit(studio=found, code=code)
    if link is not None:
        request.session[session_key(found.slug)] = link.code
    return redirect(intake_url(found.slug))


def _member(request: HttpRequest, studio: str) -> tuple[Studio, Member | None]:
    """The member signed in through their mailed link (the member area's one sign-in), or None."""
    from vollegym.schedule.member_views import member_or_login

    return member_or_login(request, studio)


@never_cache
def member_page(request: HttpRequest, studio: str) -> HttpResponse:
    """The member's own link, its QR code to show on a phone, the reward, and the friends who came."""
    found, member = _member(request, studio)
    if member is None:
        return redirect("schedule:member_login", studio=found.slug)
    link = referral_link_for(studio=found, person=member.person)
    url = referral_url(link, found)
    return render(
        request,
        "referrals/member.html",
        {
            "studio": found, "member": member, "url": url, "link": link,
            "qr": qr_svg(url, label=_("QR-code van je persoonlijke link")),
            "settings": referral_settings_for(found), "rows": selectors.referrals_of(found, member.person),
        },
    )  # fmt: skip


@studio_view()
def report(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    config = referral_settings_for(studio)
    initial = {
        "reward": config.reward, "reward_text": config.reward_text, "weeks_required": config.weeks_required,
        "amount": Decimal(config.amount_cents) / 100 if config.amount_cents else None,
    }  # fmt: skip
    form = ReferralSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if role_of(request) not in OWNERS and role_of(request) != "agency":
            raise Http404("Owners only")
        if form.is_valid():
            data = form.cleaned_data
            try:
                referral_settings_update(
                    studio=studio, reward=data["reward"], reward_text=data["reward_text"],
                    amount_cents=int((data["amount"] or 0) * 100), weeks_required=data["weeks_required"],
                )  # fmt: skip
            except ReferralError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("De beloning is bewaard."))
                return redirect("referrals:report", studio=studio.slug)
    report = selectors.referral_report(studio)
    page = Paginator(report.rows, 50).get_page(request.GET.get("pagina"))
    return render(
        request,
        "referrals/report.html",
        {"studio": studio, "report": report, "page": page, "form": form, "settings": config, "nav": "leden"},
    )  # fmt: skip


@studio_view(roles=OWNERS)
@require_POST
def give(request: HttpRequest, referral_id: int) -> HttpResponse:
    studio = studio_of(request)
    referral = Referral.objects.for_studio(studio).filter(pk=referral_id).first()
    if referral is None:
        raise Http404("No such referral")
    try:
        referral_reward_give(referral=referral, by=user_of(request))
    except ReferralError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Afgevinkt: de beloning is gegeven."))
    return back_to(request, studio.slug, reverse("referrals:report", kwargs={"studio": studio.slug}))
