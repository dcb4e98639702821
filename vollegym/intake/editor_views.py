"""The owner's intake editor beyond texts and points: questions and answers added, removed and moved (each change
a new version, through the services), and a preview of the intake as a prospect sees it, which stores nothing.

Every change is a plain form with a button, so the editor works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vollegym.intake import selectors
from vollegym.intake.booking_views import pick_slot
from vollegym.intake.definition import Question, Step
from vollegym.intake.editing import CONSENT_ROLE, KIND_LABELS, ROLES, OptionAddForm, QuestionAddForm
from vollegym.intake.forms import ContactForm, StepForm
from vollegym.intake.models import Questionnaire, QuestionnaireVersion
from vollegym.intake.services import (
    QuestionnaireChanged,
    QuestionnaireError,
    UnknownQuestion,
    option_add,
    option_move,
    option_remove,
    question_add,
    question_move,
    question_remove,
)
from vollegym.intake.services.questions import CHOICE_KINDS
from vollegym.intake.views import plan_context, progress_of
from vollegym.studios.access import studio_of, studio_view, user_of
from vollegym.studios.models import Studio

OWNERS = frozenset({"owner"})
DIRECTIONS: dict[str, Literal[-1, 1]] = {"op": -1, "neer": 1}


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    kind: str
    role: str
    protected: bool  # the health consent of a sensitive step: it stays
    first: bool
    last: bool
    option_form: OptionAddForm | None


@dataclass(frozen=True)
class StepBlock:
    step: Step
    questions: list[QuestionRow]
    add_form: QuestionAddForm


def _latest(questionnaire: Questionnaire) -> QuestionnaireVersion:
    version = (
        QuestionnaireVersion.objects.for_studio(questionnaire.studio_id)
        .filter(questionnaire=questionnaire)
        .select_related("questionnaire")
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404("No version")
    return version


def _page(
    request: HttpRequest,
    version: QuestionnaireVersion,
    *,
    bound: dict[str, forms.Form] | None = None,
    error: str = "",
) -> HttpResponse:
    bound = bound or {}
    blocks = []
    for step in version.content.steps:
        rows = []
        for i, q in enumerate(step.questions):
            protected = step.sensitive and q.kind == "consent"
            option_form = None
            if q.kind in CHOICE_KINDS:
                found = bound.get(f"o-{q.key}")
                option_form = (
                    found if isinstance(found, OptionAddForm) else OptionAddForm(prefix=f"o-{q.key}")
                )
            rows.append(
                QuestionRow(
                    q, str(KIND_LABELS.get(q.kind, q.kind)), str(CONSENT_ROLE if protected else ROLES.get(q.key, "")),
                    protected, i == 0, i == len(step.questions) - 1, option_form,
                )
            )  # fmt: skip
        found = bound.get(f"q-{step.key}")
        add_form = found if isinstance(found, QuestionAddForm) else QuestionAddForm(prefix=f"q-{step.key}")
        blocks.append(StepBlock(step, rows, add_form))
    return render(
        request,
        "intake/staff_questions.html",
        {"studio": studio_of(request), "version": version, "questionnaire": version.questionnaire,
         "blocks": blocks, "error": error, "nav": "intake", "tab": "questions"},
    )  # fmt: skip


@studio_view(roles=OWNERS)
def questions(request: HttpRequest) -> HttpResponse:
    """The questionnaire's steps with their questions and answers, each with its buttons."""
    current = selectors.current_version(studio_of(request))
    if current is None:
        raise Http404("No questionnaire yet")
    return _page(request, current)


def _change(
    request: HttpRequest,
    questionnaire_id: int,
    anchor: str,
    run: Callable[[Questionnaire, int | None], QuestionnaireVersion],
    *,
    form: forms.Form | None = None,
    form_key: str = "",
) -> HttpResponse:
    """Runs one change of the studio's questionnaire and shows where it happened, or why it did not."""
    studio = studio_of(request)
    questionnaire = selectors.questionnaire_of(studio, questionnaire_id)
    if questionnaire is None:
        raise Http404("No such questionnaire")
    expected = request.POST.get("versie", "")
    try:
        before = _latest(questionnaire).number
        version = run(questionnaire, int(expected) if expected.isdigit() else None)
    except UnknownQuestion as exc:
        raise Http404("No such question") from exc
    except QuestionnaireChanged as exc:
        messages.warning(request, exc.reason)
        return redirect(_questions_url(studio))
    except QuestionnaireError as exc:
        if form is not None:
            form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
        return _page(
            request, _latest(questionnaire), bound={form_key: form} if form else {}, error=exc.reason
        )
    if version.number != before:
        messages.success(request, _("Versie %(n)s staat online.") % {"n": version.number})
    return redirect(f"{_questions_url(studio)}#{anchor}")


def _questions_url(studio: Studio) -> str:
    return reverse("intake_staff:questions", kwargs={"studio": studio.slug})


def _direction(request: HttpRequest) -> Literal[-1, 1]:
    direction = DIRECTIONS.get(request.POST.get("richting", ""))
    if direction is None:
        raise Http404("Up or down")
    return direction


@studio_view(roles=OWNERS)
@require_POST
def question_new(request: HttpRequest, questionnaire_id: int, step_key: str) -> HttpResponse:
    form = QuestionAddForm(request.POST, prefix=f"q-{step_key}")
    if not form.is_valid():
        questionnaire = selectors.questionnaire_of(studio_of(request), questionnaire_id)
        if questionnaire is None:
            raise Http404("No such questionnaire")
        return _page(
            request, _latest(questionnaire), bound={f"q-{step_key}": form}, error=_("Kijk naar de velden.")
        )
    by = user_of(request)
    return _change(
        request, questionnaire_id, f"stap-{step_key}",
        lambda q, expected: question_add(
            questionnaire=q, step=step_key, question=form.question(), by=by, expected=expected
        ),
        form=form, form_key=f"q-{step_key}",
    )  # fmt: skip


@studio_view(roles=OWNERS)
def question_delete(request: HttpRequest, questionnaire_id: int, key: str) -> HttpResponse:
    """Asks first (what happens to answers already given), then takes the question out of the next version."""
    studio = studio_of(request)
    questionnaire = selectors.questionnaire_of(studio, questionnaire_id)
    if questionnaire is None:
        raise Http404("No such questionnaire")
    if request.method == "POST":
        by = user_of(request)
        return _change(
            request, questionnaire_id, "",
            lambda q, expected: question_remove(questionnaire=q, key=key, by=by, expected=expected),
        )  # fmt: skip
    version = _latest(questionnaire)
    question = version.content.question(key)
    if question is None:
        raise Http404("No such question")
    return render(
        request,
        "intake/staff_question_remove.html",
        {"studio": studio, "version": version, "question": question, "questionnaire": questionnaire,
         "nav": "intake"},
    )  # fmt: skip


@studio_view(roles=OWNERS)
@require_POST
def question_shift(request: HttpRequest, questionnaire_id: int, key: str) -> HttpResponse:
    direction, by = _direction(request), user_of(request)
    return _change(
        request, questionnaire_id, f"vraag-{key}",
        lambda q, expected: question_move(questionnaire=q, key=key, direction=direction, by=by, expected=expected),
    )  # fmt: skip


@studio_view(roles=OWNERS)
@require_POST
def option_new(request: HttpRequest, questionnaire_id: int, key: str) -> HttpResponse:
    form = OptionAddForm(request.POST, prefix=f"o-{key}")
    if not form.is_valid():
        questionnaire = selectors.questionnaire_of(studio_of(request), questionnaire_id)
        if questionnaire is None:
            raise Http404("No such questionnaire")
        return _page(
            request, _latest(questionnaire), bound={f"o-{key}": form}, error=_("Kijk naar de velden.")
        )
    by = user_of(request)
    return _change(
        request, questionnaire_id, f"vraag-{key}",
        lambda q, expected: option_add(
            questionnaire=q, key=key, label=form.cleaned_data["label"], points=form.cleaned_data["points"] or 0,
            by=by, expected=expected,
        ),
        form=form, form_key=f"o-{key}",
    )  # fmt: skip


@studio_view(roles=OWNERS)
@require_POST
def option_delete(request: HttpRequest, questionnaire_id: int, key: str, value: str) -> HttpResponse:
    by = user_of(request)
    return _change(
        request, questionnaire_id, f"vraag-{key}",
        lambda q, expected: option_remove(questionnaire=q, key=key, value=value, by=by, expected=expected),
    )  # fmt: skip


@studio_view(roles=OWNERS)
@require_POST
def option_shift(request: HttpRequest, questionnaire_id: int, key: str, value: str) -> HttpResponse:
    direction, by = _direction(request), user_of(request)
    return _change(
        request, questionnaire_id, f"vraag-{key}",
        lambda q, expected: option_move(
            questionnaire=q, key=key, value=value, direction=direction, by=by, expected=expected
        ),
    )  # fmt: skip


# ---- the preview: the prospect's pages, nothing stored ------------------------------------------------------

PREVIEW_ANSWERS = "intake_preview"  # the session key: answers typed in the preview, per version


def _preview_base(studio: Studio) -> str:
    return reverse("intake_staff:preview", kwargs={"studio": studio.slug})


@never_cache
@studio_view()
def preview(request: HttpRequest, step_key: str = "") -> HttpResponse:
    """The intake as a prospect sees it, step by step; no lead, no consent, no answer is stored.

    Answers typed here live only in the viewer's session, so the plan at the end follows them.
    """
    studio = studio_of(request)
    version = selectors.current_version(studio)
    if version is None:
        raise Http404("No questionnaire yet")
    definition = version.content
    keys, base = definition.step_keys, _preview_base(studio)
    answers: dict[str, Any] = request.session.get(PREVIEW_ANSWERS, {}).get(str(version.pk), {})
    context: dict[str, Any] = {
        "studio": studio, "definition": definition, "base": base, "start_url": base,
        "editor_url": reverse("intake_staff:questions", kwargs={"studio": studio.slug}),
        "overview_url": reverse("intake_staff:overview", kwargs={"studio": studio.slug}),
    }  # fmt: skip
    if not step_key:
        contact = ContactForm(
            request.POST or None,
            contact_text=definition.contact_consent.format(studio=studio.name),
            whatsapp_text=definition.whatsapp_consent,
        )
        if request.method == "POST" and contact.is_valid():
            return redirect(f"{base}{keys[1]}/")
        return render(
            request, "intake/preview_contact.html",
            {**context, "form": contact, "progress": progress_of(keys, "contact")},
        )  # fmt: skip
    if step_key == "plan":
        return render(
            request, "intake/preview_plan.html",
            {**context, **plan_context(studio, version, answers), "progress": progress_of(keys, "plan")},
        )  # fmt: skip
    if step_key == "gesprek":
        return _preview_booking(request, studio, context, total=len(keys))
    step = definition.step(step_key)
    if step is None:
        raise Http404("No such step")
    form = StepForm(request.POST or None, step=step, initial=answers)
    if request.method == "POST" and form.is_valid():
        kept = {k: v for k, v in answers.items() if k not in {q.key for q in step.questions}}
        request.session[PREVIEW_ANSWERS] = {str(version.pk): kept | form.answers()}
        return redirect(f"{base}{keys[keys.index(step_key) + 1]}/")
    previous = keys[keys.index(step_key) - 1]
    return render(
        request, "intake/preview_step.html",
        {**context, "form": form, "step": step, "progress": progress_of(keys, step_key),
         "back": previous if previous != "contact" else None},
    )  # fmt: skip


def _preview_booking(
    request: HttpRequest, studio: Studio, context: dict[str, Any], *, total: int
) -> HttpResponse:
    """The moments a prospect would see; picking one books nothing."""
    kinds = selectors.consultation_types(studio)
    if not kinds:
        return redirect(f"{context['base']}plan/")
    kind, form, picker = pick_slot(request, kinds, None, None)
    error = ""
    if request.method == "POST":
        error = _("Dit is een voorbeeld: er is niets geboekt.")
        form.is_bound = False
    return render(
        request, "intake/preview_book.html",
        {**context, "kinds": kinds, "kind": kind, "form": form, "error": error, "here": request.path,
         "back": f"{context['base']}plan/", "progress": {"number": total, "total": total, "percent": 100},
         **picker},
    )  # fmt: skip
