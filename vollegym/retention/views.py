"""Playbooks in the back office: the coach's tasks (first 30 days, leads' follow-up), a program's playbook editor,
and the same editor on the studio's lead sequences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vollegym.core import clock
from vollegym.core.back import back_to
from vollegym.programs.models import Program
from vollegym.retention import selectors
from vollegym.retention.activation import activation_seen as activation_mark_seen
from vollegym.retention.forms import QuietMonthsForm, TouchpointForm
from vollegym.retention.models import (
    ActivationCheck,
    Playbook,
    Rating,
    Sequence,
    Step,
    StopReason,
    Touchpoint,
)
from vollegym.retention.playbooks import playbook_quiet_months_set
from vollegym.retention.ratings import RatingError
from vollegym.retention.ratings import rating_called as rating_mark_called
from vollegym.retention.services import (
    PlaybookError,
    playbook_change,
    playbook_for,
    playbook_for_sequence,
    step_close,
)
from vollegym.studios.access import role_of, studio_of, studio_view, user_of
from vollegym.studios.models import Studio

OWNERS = frozenset({"owner"})
# The sequences' addresses, in the studio's words.
SEQUENCE_SLUGS = {
    "geen-gesprek": Sequence.NOT_BOOKED,
    "niet-verschenen": Sequence.NO_SHOW,
    "stil-geworden": Sequence.GONE_QUIET,
}


@studio_view()
def tasks(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    found = selectors.tasks_open(studio, user_of(request), role_of(request), now=clock.now())
    low = selectors.ratings_low_open(studio, user_of(request), role_of(request))
    return render(
        request, "retention/tasks.html",
        {"studio": studio, "steps": found.steps, "flags": found.flags, "low_ratings": low, "nav": "leden",
         "lead_steps": found.lead_steps, "mine_only": role_of(request) == "coach"},
    )  # fmt: skip


@studio_view()
@require_POST
def rating_called(request: HttpRequest, rating_id: int) -> HttpResponse:
    rating = Rating.objects.for_studio(studio_of(request)).filter(pk=rating_id).first()
    if rating is None:
        raise Http404("No such rating")
    try:
        rating_mark_called(rating=rating, by=user_of(request))
    except RatingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Gebeld: %(name)s staat niet meer op de lijst.") % {"name": rating.member}
        )
    return _back(request, rating.member_id)


@studio_view()
def nps(request: HttpRequest) -> HttpResponse:
    """NPS of the last twelve months: in all, per month and per coach, with how many were asked and answered."""
    studio = studio_of(request)
    today = clock.local(clock.now()).date()
    since = today.replace(year=today.year - 1, day=1)
    return render(
        request, "retention/nps.html",
        {"studio": studio, "report": selectors.nps_report(studio, since=since), "since": since, "nav": "leden"},
    )  # fmt: skip


def _back(request: HttpRequest, member_id: int | None, lead_id: int | None = None) -> HttpResponse:
    """Back where the click came from: the member's page, the lead's page, or the task list."""
    studio = studio_of(request)
    if request.POST.get("terug") == "lid" and member_id is not None:
        return redirect("programs:member", studio=studio.slug, member_id=member_id)
    if request.POST.get("terug") == "lead" and lead_id is not None:
        return redirect("leads:detail", studio=studio.slug, lead_id=lead_id)
    return back_to(request, studio.slug, reverse("retention:tasks", args=[studio.slug]))


def _close(request: HttpRequest, step_id: int, *, done: bool) -> HttpResponse:
    step = (
        Step.objects.for_studio(studio_of(request))
        .filter(pk=step_id)
        .select_related("run", "touchpoint")
        .first()
    )
    if step is None:
        raise Http404("No such task")
    try:
        step_close(step=step, by=user_of(request), done=done)
    except PlaybookError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Afgevinkt: %(title)s.") % {"title": step.touchpoint.title} if done else
                         _("Overgeslagen: %(title)s.") % {"title": step.touchpoint.title})  # fmt: skip
    return _back(request, step.run.member_id, step.run.lead_id)


@studio_view()
@require_POST
def step_done(request: HttpRequest, step_id: int) -> HttpResponse:
    return _close(request, step_id, done=True)


@studio_view()
@require_POST
def step_skip(request: HttpRequest, step_id: int) -> HttpResponse:
    return _close(request, step_id, done=False)


@studio_view()
@require_POST
def activation_seen(request: HttpRequest, check_id: int) -> HttpResponse:
    check = ActivationCheck.objects.for_studio(studio_of(request)).filter(pk=check_id).first()
    if check is None:
        raise Http404("No such check")
    try:
        activation_mark_seen(check=check, by=user_of(request))
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Opgepakt: %(name)s staat niet meer op de lijst.") % {"name": check.member}
        )
    return _back(request, check.member_id)


def _program(request: HttpRequest, program_id: int) -> Program:
    found = Program.objects.for_studio(studio_of(request)).filter(pk=program_id).first()
    if found is None:
        raise Http404("No such program")
    return found


@dataclass(frozen=True)
class _Target:
    """What the editor edits: a program's playbook (members), or one of the studio's lead sequences."""

    studio: Studio
    playbook: Playbook
    program: Program | None = None
    slug: str = ""

    @property
    def for_lead(self) -> bool:
        return self.program is None

    def url(self, name: str, **kwargs: Any) -> str:
        """One of the editor's addresses: `playbook`, `touchpoint_add`, … (a sequence's have its own names)."""
        if self.program is not None:
            return reverse(f"retention:{name}", kwargs={"studio": self.studio.slug, "program_id": self.program.pk,
                                                        **kwargs})  # fmt: skip
        name = "sequence" if name == "playbook" else f"sequence_{name}"
        return reverse(
            f"retention:{name}", kwargs={"studio": self.studio.slug, "sequence": self.slug, **kwargs}
        )


def _for_program(request: HttpRequest, program_id: int) -> _Target:
    program = _program(request, program_id)
    return _Target(studio=studio_of(request), playbook=playbook_for(program), program=program)


def _for_sequence(request: HttpRequest, slug: str) -> _Target:
    sequence = SEQUENCE_SLUGS.get(slug)
    if sequence is None:
        raise Http404("No such sequence")
    studio = studio_of(request)
    return _Target(studio=studio, playbook=playbook_for_sequence(studio, sequence), slug=slug)


def _form(target: _Target, *args: Any, **kwargs: Any) -> TouchpointForm:
    return TouchpointForm(*args, for_lead=target.for_lead, **kwargs)


def _editor(
    request: HttpRequest,
    target: _Target,
    *,
    bound: TouchpointForm | None = None,
    bound_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The playbook as it stands, each touchpoint in its own form; `bound` is a form sent back with errors."""
    version = selectors.versions_current(target.playbook)
    touchpoints = selectors.touchpoints_of(version)
    days = [t.day for t in touchpoints]
    kinds = dict(Touchpoint.LEAD_KINDS if target.for_lead else Touchpoint.Kind.choices)
    rows = [
        {
            "touchpoint": t,
            "kind": kinds.get(t.kind, t.kind),
            "form": bound
            if bound is not None and bound_id == t.pk
            else _form(target, instance=t, prefix=f"t{t.pk}"),
            # Reordering is within a day; across days the day says the order.
            "up": index > 0 and days[index - 1] == t.day,
            "down": index + 1 < len(days) and days[index + 1] == t.day,
            "change_url": target.url("touchpoint_change", touchpoint_id=t.pk),
            "move_url": target.url("touchpoint_move", touchpoint_id=t.pk),
            "remove_url": target.url("touchpoint_remove", touchpoint_id=t.pk),
        }
        for index, t in enumerate(touchpoints)
    ]
    add = (
        bound
        if bound is not None and bound_id is None
        else _form(target, prefix="nieuw", initial={"day": 1 if target.for_lead else 0})
    )
    context: dict[str, Any] = {
        "studio": target.studio, "program": target.program, "version": version, "rows": rows, "add_form": add,
        "add_url": target.url("touchpoint_add"), "can_edit": role_of(request) != "coach",
        "on_this_version": selectors.members_on(version), "open_row": bound_id,
        "sequence": target.playbook.sequence, "quiet_months": target.playbook.quiet_months, "sequence_label": Sequence(target.playbook.sequence).label
        if target.for_lead else "", "nav": "leads" if target.for_lead else "programmas",
    }  # fmt: skip
    return render(request, "retention/playbook.html", context, status=status)


def _publish(
    request: HttpRequest, target: _Target, form: TouchpointForm | None, bound_id: int | None, **change: Any
) -> HttpResponse:
    try:
        version = playbook_change(playbook=target.playbook, by=user_of(request), **change)
    except ValidationError as exc:
        if form is None:
            messages.error(request, " ".join(exc.messages))
            return redirect(target.url("playbook"))
        form.add_error(None, exc)
        return _editor(request, target, bound=form, bound_id=bound_id, status=400)
    except PlaybookError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Versie %(number)s staat klaar voor wie vanaf nu start; wie al begon houdt de eigen versie.")
            % {"number": version.number},
        )
    return redirect(target.url("playbook"))


def _add(request: HttpRequest, target: _Target) -> HttpResponse:
    form = _form(target, request.POST, prefix="nieuw")
    if not form.is_valid():
        return _editor(request, target, bound=form, status=400)
    return _publish(request, target, form, None, add=form.cleaned_data)


def _change(request: HttpRequest, target: _Target, touchpoint_id: int) -> HttpResponse:
    form = _form(target, request.POST, prefix=f"t{touchpoint_id}")
    if not form.is_valid():
        return _editor(request, target, bound=form, bound_id=touchpoint_id, status=400)
    return _publish(request, target, form, touchpoint_id, change=(touchpoint_id, form.cleaned_data))


def _move(request: HttpRequest, target: _Target, touchpoint_id: int) -> HttpResponse:
    step = -1 if request.POST.get("richting") == "omhoog" else 1
    return _publish(request, target, None, None, move=(touchpoint_id, step))


@studio_view()
def playbook(request: HttpRequest, program_id: int) -> HttpResponse:
    return _editor(request, _for_program(request, program_id))


@studio_view(roles=OWNERS)
@require_POST
def touchpoint_add(request: HttpRequest, program_id: int) -> HttpResponse:
    return _add(request, _for_program(request, program_id))


@studio_view(roles=OWNERS)
@require_POST
def touchpoint_change(request: HttpRequest, program_id: int, touchpoint_id: int) -> HttpResponse:
    return _change(request, _for_program(request, program_id), touchpoint_id)


@studio_view(roles=OWNERS)
@require_POST
def touchpoint_remove(request: HttpRequest, program_id: int, touchpoint_id: int) -> HttpResponse:
    return _publish(request, _for_program(request, program_id), None, None, remove=touchpoint_id)


@studio_view(roles=OWNERS)
@require_POST
def touchpoint_move(request: HttpRequest, program_id: int, touchpoint_id: int) -> HttpResponse:
    return _move(request, _for_program(request, program_id), touchpoint_id)


# ---- the follow-up of leads: the same editor, on the studio's three sequences ------------------------------


@studio_view()
def sequences(request: HttpRequest) -> HttpResponse:
    """The studio's lead sequences: what starts and stops each, its steps, and its leads of the last 90 days."""
    studio = studio_of(request)
    since = clock.now() - timedelta(days=90)
    kinds: dict[str, str] = {str(k): str(label) for k, label in Touchpoint.LEAD_KINDS}
    reasons: dict[str, str] = {value: str(label) for value, label in StopReason.choices}
    found = []
    for slug, sequence in SEQUENCE_SLUGS.items():
        summary = selectors.sequence_summary(playbook_for_sequence(studio, sequence), since=since)
        found.append({
            "slug": slug, "summary": summary, "steps": [(t, kinds[t.kind]) for t in summary.touchpoints],
            "stopped": [(reasons[reason], n) for reason, n in sorted(summary.stopped.items(), key=lambda i: -i[1])],
        })  # fmt: skip
    quiet = playbook_for_sequence(studio, Sequence.GONE_QUIET).quiet_months
    return render(
        request, "retention/sequences.html",
        {"studio": studio, "sequences": found, "can_edit": role_of(request) != "coach",
         "quiet_form": QuietMonthsForm(initial={"months": quiet}), "nav": "leads"},
    )  # fmt: skip


@studio_view(roles=OWNERS)
@require_POST
def sequence_quiet(request: HttpRequest) -> HttpResponse:
    form = QuietMonthsForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(str(e) for e in form.errors.get("months", [])) or _("Kies 1 tot en met 24 maanden."),
        )
    else:
        try:
            playbook_quiet_months_set(studio=studio_of(request), months=form.cleaned_data["months"])
        except PlaybookError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "Wie %(months)s maand niets van zich liet horen, krijgt één keer een check-in.",
                    "Wie %(months)s maanden niets van zich liet horen, krijgt één keer een check-in.",
                    form.cleaned_data["months"],
                )
                % {"months": form.cleaned_data["months"]},
            )
    return redirect("retention:sequences", studio=studio_of(request).slug)


@studio_view()
def sequence(request: HttpRequest, sequence: str) -> HttpResponse:
    return _editor(request, _for_sequence(request, sequence))


@studio_view(roles=OWNERS)
@require_POST
def sequence_touchpoint_add(request: HttpRequest, sequence: str) -> HttpResponse:
    return _add(request, _for_sequence(request, sequence))


@studio_view(roles=OWNERS)
@require_POST
def sequence_touchpoint_change(request: HttpRequest, sequence: str, touchpoint_id: int) -> HttpResponse:
    return _change(request, _for_sequence(request, sequence), touchpoint_id)


@studio_view(roles=OWNERS)
@require_POST
def sequence_touchpoint_remove(request: HttpRequest, sequence: str, touchpoint_id: int) -> HttpResponse:
    return _publish(request, _for_sequence(request, sequence), None, None, remove=touchpoint_id)


@studio_view(roles=OWNERS)
@require_POST
def sequence_touchpoint_move(request: HttpRequest, sequence: str, touchpoint_id: int) -> HttpResponse:
    return _move(request, _for_sequence(request, sequence), touchpoint_id)
