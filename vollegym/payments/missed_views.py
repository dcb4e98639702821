"""The answers to a missed payment in the back office: a coach sends the pay link again from the Today page; the
owner decides from the member's page (pause, stop, paid outside Mollie, a new link)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vollegym.core.back import back_to
from vollegym.payments.forms import DecisionForm
from vollegym.payments.missed import missed_link_again, missed_paid_outside, missed_pause, missed_stop
from vollegym.payments.models import MissedPayment
from vollegym.payments.selectors import missed_decisions
from vollegym.payments.services import PaymentsError
from vollegym.studios.access import role_of, studio_of, studio_view, user_of

DONE = {
    MissedPayment.Decision.NEW_LINK: gettext_lazy("De betaallink is opnieuw gestuurd."),
    MissedPayment.Decision.PAID_OUTSIDE: gettext_lazy("Vastgelegd: buiten Mollie betaald."),
    MissedPayment.Decision.PAUSED: gettext_lazy(
        "Het lidmaatschap staat op pauze; de termijn blijft openstaan."
    ),
    MissedPayment.Decision.STOPPED: gettext_lazy(
        "Opgezegd; het lid krijgt de bevestiging per mail. De termijn blijft openstaan."
    ),
}


@studio_view()
@require_POST
def decide(request: HttpRequest, missed_id: int) -> HttpResponse:
    studio = studio_of(request)
    missed = MissedPayment.objects.for_studio(studio).filter(pk=missed_id).first()
    if missed is None:
        raise Http404("No such missed payment")
    member_page = reverse("programs:member", kwargs={"studio": studio.slug, "member_id": missed.member_id})
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies wat er met deze betaling gebeurt (bij een pauze: 1 tot 26 weken)."))
        return back_to(request, studio.slug, f"{member_page}#betaling")
    decision, by = form.cleaned_data["decision"], user_of(request)
    if decision not in missed_decisions(missed, role=role_of(request)):
        raise PermissionDenied("Not this person's decision, or not yet")
    try:
        if decision == MissedPayment.Decision.NEW_LINK:
            missed_link_again(missed=missed, by=by)
        elif decision == MissedPayment.Decision.PAID_OUTSIDE:
            missed_paid_outside(missed=missed, by=by)
        elif decision == MissedPayment.Decision.PAUSED:
            missed_pause(missed=missed, by=by, weeks=form.cleaned_data["weeks"])
        else:
            missed_stop(missed=missed, by=by)
    except PaymentsError as exc:
        messages.error(request, exc.reason)
    else:
        messages.success(request, str(DONE[decision]))
    return back_to(request, studio.slug, f"{member_page}#betaling")
