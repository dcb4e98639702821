"""The public intake: a contact step, the questionnaire's steps, then the plan with its price (last)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from vollegym.core.clientip import client_ip
from vollegym.core.money import euro
from vollegym.intake import selectors
from vollegym.intake.forms import ContactForm, StepForm
from vollegym.intake.models import Questionnaire, QuestionnaireVersion
from vollegym.intake.services import TooManyIntakes, intake_answer, intake_start
from vollegym.intake.services.booking import booking_path
from vollegym.leads.services import CaptureError
from vollegym.studios.models import Studio
from vollegym.studios.selectors import active_studio

AGENCY_SLUG = selectors.AGENCY_SLUG


def load_studio(slug: str) -> Studio:
    studio = active_studio(slug)
    if studio is None:
        raise Http404("No such studio")
    return studio


def _urls(studio: Studio) -> dict[str, str]:
    return {"start_url": selectors.intake_url(studio.slug)}


def intake_base(studio: Studio, token: str) -> str:
    """Where one prospect's intake lives: its steps, its plan and its booking hang below this."""
    return f"{_urls(studio)['start_url']}{token}/"


# The UTM parameters of the link someone arrived by (an ad, a newsletter): kept with the lead, so the funnel and the
# ad spend can be read per campaign. Only readable text is kept; anything else in the address is ignored.
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
UTM_MAX = 200


def utm_of(query: Mapping[str, Any]) -> dict[str, str]:
    found = {}
    for key in UTM_KEYS:
        value = str(query.get(key) or "").strip()[:UTM_MAX]
        # U+FFFD is what the server made of bytes that were no text (a lone surrogate half, say).
        if value and value.isprintable() and "\ufffd" not in value:
            found[key] = value
    return found


@never_cache
def start(request: HttpRequest, studio: str = AGENCY_SLUG) -> HttpResponse:
    found = load_studio(studio)
    if utm := utm_of(request.GET):
        request.session[f"utm:{found.slug}"] = utm
    version = selectors.current_version(found)
    if version is None:
        raise Http404("This studio has no intake")
    definition = version.content
    texts = {
        "contact_text": definition.contact_consent.format(studio=found.name),
        "whatsapp_text": definition.whatsapp_consent,
    }
    form = ContactForm(request.POST or None, **texts)
    # A friend's link (/s/<studio>/r/<code>/) left its code here: the lead is credited to that member.
    referral_code = str(request.session.get(f"referral:{found.slug}", ""))
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("website"):
            return redirect(_urls(found)["start_url"])  # a bot filled the hidden field: nothing stored
        try:
            # One transaction: a referred lead is never stored without the credit to the member who sent them.
            with transaction.atomic():
                response = intake_start(
                    studio=found, version=version, name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"], phone=form.cleaned_data["phone"],
                    whatsapp=bool(form.cleaned_data.get("whatsapp")),
                    source="referral" if referral_code else "website", address=client_ip(request),
                    utm=utm_of(request.session.get(f"utm:{found.slug}") or {}),
                )  # fmt: skip
                if referral_code:
                    from vollegym.referrals.services import referral_attach

                    referral_attach(lead=response.lead, code=referral_code)
        except TooManyIntakes:
            form.add_error(
                None,
                _(
                    "Er zijn net veel aanvragen vanaf dit adres gedaan. Probeer het over tien minuten opnieuw."
                ),
            )
        except CaptureError as exc:
            form.add_error(None, _("Dat ging niet goed: %(reason)s") % {"reason": exc.reason})
        else:
            return redirect(f"{_urls(found)['start_url']}{response.token}/{response.step}/")
    return render(
        request,
        "intake/contact.html",
        {
            "studio": found,
            "definition": definition,
            "form": form,
            "progress": progress_of(definition.step_keys, "contact"),
            # the first step is a public page worth finding; the steps after it are one person's, not indexed
            "canonical_url": request.build_absolute_uri(_urls(found)["start_url"]),
            **_urls(found),
        },
    )


def _amounts(offer: selectors.PlanOffer | None) -> dict[str, str]:
    """An offer's price and its month's share as the plan writes them ("€ 1.295,00", "€ 468")."""
    if offer is None or offer.price_cents is None:
        return {}
    monthly = offer.monthly_cents
    return {
        "total": euro(offer.price_cents),
        "monthly": euro(monthly).removesuffix(",00") if monthly is not None else "",
    }


def plan_context(studio: Studio, version: QuestionnaireVersion, answers: dict[str, Any]) -> dict[str, Any]:
    """What the plan page shows for these answers: the offer and perhaps a smaller one, their prices, the way on."""
    definition = version.content
    plan = selectors.plan_of(studio, definition, answers)
    return {
        "offer": plan.offer,
        "smaller": plan.smaller,
        "price": _amounts(plan.offer),
        "smaller_price": _amounts(plan.smaller),
        "back": definition.step_keys[-2],
        "can_book": bool(selectors.consultation_types(studio)),
        "for_owners": version.questionnaire.kind == Questionnaire.Kind.AGENCY,
    }


def progress_of(keys: list[str], current: str) -> dict[str, int]:
    index = keys.index(current)
    return {"number": index + 1, "total": len(keys), "percent": round(100 * index / (len(keys) - 1))}


@never_cache
def step(request: HttpRequest, token: str, step_key: str, studio: str = AGENCY_SLUG) -> HttpResponse:
    found = load_studio(studio)
    response = selectors.response_by_token(found, token)
    if response is None:
        raise Http404("No such intake")
    definition = response.version.content
    keys = definition.step_keys
    if step_key not in keys or step_key == "contact":
        raise Http404("No such step")
    base = intake_base(found, token)
    context = {
        "studio": found,
        "definition": definition,
        "progress": progress_of(keys, step_key),
        "base": base,
        **_urls(found),
    }
    if step_key == "plan":
        booking = selectors.booking_of_response(response)
        return render(
            request,
            "intake/plan.html",
            {**context, **plan_context(found, response.version, response.answers), "response": response,
             "booking": booking, "booking_path": booking_path(booking) if booking else ""},
        )  # fmt: skip
    current = definition.step(step_key)
    assert current is not None
    initial = {k: v for k, v in response.answers.items() if k in {q.key for q in current.questions}}
    form = StepForm(request.POST or None, step=current, initial=initial)
    if request.method == "POST" and form.is_valid():
        updated = intake_answer(response=response, step=step_key, answers=form.answers())
        return redirect(f"{base}{updated.step}/")
    previous = keys[keys.index(step_key) - 1]
    return render(
        request,
        "intake/step.html",
        {**context, "form": form, "step": current, "back": previous if previous != "contact" else None},
    )
