"""Renewal conversations in the back office (the list, and one conversation to plan and record), and the studio's
rules for pausing and the message after leaving."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vollegym.core import clock
from vollegym.core.money import euro
from vollegym.programs import renewals
from vollegym.programs.endings import membership_rules_for, membership_rules_update
from vollegym.programs.forms import MembershipRulesForm, TalkOutcomeForm, TalkPlanForm
from vollegym.programs.models import RenewalPrice, RenewalTalk
from vollegym.programs.selectors import price_in_force, today
from vollegym.programs.services import ProgramError, term_cents, term_weeks
from vollegym.studios.access import role_of, studio_of, studio_view, user_of

OWNERS = frozenset({"owner"})


@studio_view()
def talks(request: HttpRequest) -> HttpResponse:
    """Open conversations (a coach sees their own members'), and what came of the recent ones."""
    studio, user, role = studio_of(request), user_of(request), role_of(request)
    return render(
        request, "programs/renewal_talks.html",
        {"studio": studio, "talks": renewals.renewal_talks_open(studio, user, role),
         "recent": renewals.renewal_talks_recent(studio, user, role), "mine_only": role == "coach",
         "nav": "leden"},
    )  # fmt: skip


def _talk(request: HttpRequest, talk_id: int) -> RenewalTalk:
    found = (
        RenewalTalk.objects.for_studio(studio_of(request))
        .filter(pk=talk_id)
        .select_related("enrolment__program", "enrolment__price", "member__person", "member__coach", "coach")
        .first()
    )
    if found is None:
        raise Http404("No such conversation")
    return found


def _talk_page(
    request: HttpRequest,
    talk: RenewalTalk,
    *,
    plan_form: TalkPlanForm | None = None,
    outcome_form: TalkOutcomeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    enrolment, program = talk.enrolment, talk.enrolment.program
    locked = program.renewal_price == RenewalPrice.LOCKED
    price = enrolment.price if locked else price_in_force(program, today())
    weeks = term_weeks(program, continuation=False)
    planned = clock.local(talk.planned_at, studio_of(request).zone) if talk.planned_at else None
    initial_day = planned.date() if planned else min(today() + timedelta(days=2), enrolment.ends_on)
    return render(
        request, "programs/renewal_talk.html",
        {"studio": studio_of(request), "talk": talk, "enrolment": enrolment, "locked": locked,
         "renewal_price": (enrolment.price_cents if locked else term_cents(price, program, weeks)) if price else None,
         "plan_form": plan_form or TalkPlanForm(initial={"day": initial_day, "at": planned.time() if planned else None}),
         "outcome_form": outcome_form or TalkOutcomeForm(), "nav": "leden"},
        status=status,
    )  # fmt: skip


@studio_view()
def talk(request: HttpRequest, talk_id: int) -> HttpResponse:
    return _talk_page(request, _talk(request, talk_id))


@studio_view()
@require_POST
def talk_plan(request: HttpRequest, talk_id: int) -> HttpResponse:
    found = _talk(request, talk_id)
    form = TalkPlanForm(request.POST)
    if form.is_valid():
        starts_at = clock.wall_time(
            form.cleaned_data["day"], form.cleaned_data["at"], studio_of(request).zone
        )
        try:
            if starts_at is None:
                raise ProgramError(
                    _("Die tijd bestaat die nacht niet (de klok gaat vooruit); kies een andere.")
                )
            renewals.renewal_talk_plan(talk=found, starts_at=starts_at, by=user_of(request))
        except ProgramError as exc:
            form.add_error(None, exc.reason)
        else:
            messages.success(
                request,
                _("Afgesproken: %(when)s. %(name)s krijgt het moment per mail.")
                % {"when": clock.spoken(starts_at, studio_of(request).zone), "name": found.member},
            )
            return redirect("programs:renewal_talk", studio=studio_of(request).slug, talk_id=found.pk)
    return _talk_page(request, found, plan_form=form, status=400)


@studio_view()
@require_POST
def talk_record(request: HttpRequest, talk_id: int) -> HttpResponse:
    found = _talk(request, talk_id)
    form = TalkOutcomeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = renewals.renewal_talk_record(
                talk=found, outcome=data["outcome"], by=user_of(request), reason=data["reason"] or "",
                note=data["note"], later_on=data["later_on"],
            )  # fmt: skip
        except ProgramError as exc:
            form.add_error(None, exc.reason)
        else:
            if done.status == RenewalTalk.Status.RENEWED and done.renewal is not None:
                text = _("%(name)s verlengt: %(program)s vanaf %(day)s voor %(price)s.") % {
                    "name": found.member, "program": done.renewal.program.name,
                    "day": done.renewal.starts_on.strftime("%d-%m-%Y"), "price": euro(done.renewal.price_cents),
                }  # fmt: skip
            elif done.status == RenewalTalk.Status.DECLINED:
                text = _("Vastgelegd: %(name)s stopt na %(day)s.") % {
                    "name": found.member,
                    "day": found.enrolment.ends_on.strftime("%d-%m-%Y"),
                }
            else:
                text = _("Later: het gesprek staat weer op de lijst op %(day)s.") % {
                    "day": done.due_on.strftime("%d-%m-%Y")
                }
            messages.success(request, text)
            return redirect("programs:renewal_talks", studio=studio_of(request).slug)
    return _talk_page(request, found, outcome_form=form, status=400)


@studio_view(roles=OWNERS)
def rules(request: HttpRequest) -> HttpResponse:
    """The owner's rules for pausing and for the one message after someone left."""
    studio = studio_of(request)
    current = membership_rules_for(studio)
    form = MembershipRulesForm(
        request.POST or None,
        initial={"pause_max_weeks": current.pause_max_weeks, "members_may_pause": current.members_may_pause,
                 "win_back_weeks": current.win_back_weeks},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership_rules_update(
                studio=studio, pause_max_weeks=data["pause_max_weeks"], members_may_pause=data["members_may_pause"],
                win_back_weeks=data["win_back_weeks"],
            )  # fmt: skip
        except ProgramError as exc:
            form.add_error(None, exc.reason)
        else:
            messages.success(request, _("De regels zijn bewaard."))
            return redirect("programs:rules", studio=studio.slug)
    return render(
        request, "programs/rules.html", {"studio": studio, "form": form, "nav": "programmas"},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip
