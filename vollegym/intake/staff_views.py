"""The intake in the back office: which questionnaire a studio asks, and editing its texts and points (each save a
new version); adding, removing and moving questions and the preview live in editor_views."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vollegym.intake import selectors
from vollegym.intake.editing import QuestionnaireForm
from vollegym.intake.models import Questionnaire, QuestionnaireVersion
from vollegym.intake.services import QuestionnaireError, questionnaire_install, questionnaire_publish
from vollegym.programs.models import Program
from vollegym.studios.access import studio_of, studio_view, user_of

OWNERS = frozenset({"owner"})
VERSIONS_SHOWN = 20  # every change of the editor is a version; the newest are the ones to read


@studio_view()
def overview(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    current = selectors.current_version(studio)
    versions = (
        list(
            QuestionnaireVersion.objects.for_studio(studio)
            .filter(questionnaire_id=current.questionnaire_id)
            .select_related("created_by")
            .order_by("-number")[:VERSIONS_SHOWN]
        )
        if current
        else []
    )
    public_url = selectors.intake_url(studio.slug)
    return render(
        request,
        "intake/staff_overview.html",
        {"studio": studio, "current": current, "versions": versions, "public_url": public_url,
         "kinds": [(kind, Questionnaire.Kind(kind).label) for kind in selectors.questionnaire_kinds(studio)],
         "nav": "intake"},
    )  # fmt: skip


@studio_view(roles=OWNERS)
@require_POST
def install(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    kind = request.POST.get("kind", "")
    if kind not in selectors.questionnaire_kinds(studio):  # not one meant for this kind of studio
        raise Http404("No such questionnaire")
    Questionnaire.objects.for_studio(studio).update(is_active=False)
    questionnaire_install(studio=studio, kind=kind, by=user_of(request))
    messages.success(request, _("De vragenlijst staat klaar."))
    return redirect("intake_staff:overview", studio=studio.slug)


@studio_view(roles=OWNERS)
def edit(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    current = selectors.current_version(studio)
    if current is None:
        raise Http404("No questionnaire yet")
    programs = [(p.pk, p.name) for p in Program.objects.for_studio(studio).filter(is_active=True)]
    form = QuestionnaireForm(request.POST or None, definition=current.content, programs=programs)
    if request.method == "POST" and form.is_valid():
        try:
            version = questionnaire_publish(
                questionnaire=current.questionnaire,
                definition=form.edited(),
                by=user_of(request),
            )
        except QuestionnaireError as exc:
            form.add_error(None, exc.reason)
        else:
            messages.success(request, _("Versie %(n)s staat online.") % {"n": version.number})
            return redirect("intake_staff:overview", studio=studio.slug)
    sections = [(title, [[form[name] for name in row] for row in rows]) for title, rows in form.rows()]
    return render(
        request,
        "intake/staff_edit.html",
        {"studio": studio, "form": form, "sections": sections, "nav": "intake", "tab": "texts"},
    )
