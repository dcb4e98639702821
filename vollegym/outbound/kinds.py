"""The event kinds a webhook can hear, each with a Dutch label for the owner's pages.

The technical name (`lead.captured`) is what the API, the payload and `X-Vollegym-Event` carry; the label is only
what a person reads beside it. A kind added to `vollegym.people.events` without a label here is shown by its
technical name alone, and a test fails until it has one.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from vollegym.people.events import KINDS

LABELS: dict[str, Promise] = {
    "api.token_created": _("API-sleutel gemaakt"),
    "api.token_revoked": _("API-sleutel ingetrokken"),
    "consent.changed": _("Toestemming gewijzigd"),
    "conversation.booked": _("Kennismakingsgesprek gepland"),
    "conversation.cancelled": _("Kennismakingsgesprek geannuleerd"),
    "conversation.recorded": _("Uitkomst van een kennismakingsgesprek vastgelegd"),
    "followup.started": _("Opvolging van een lead gestart"),
    "followup.stopped": _("Opvolging van een lead gestopt"),
    "intake.completed": _("Intake ingevuld"),
    "lead.assigned": _("Lead aan een coach toegewezen"),
    "lead.captured": _("Nieuwe lead"),
    "lead.escalated": _("Lead niet op tijd beantwoord"),
    "lead.first_contact": _("Eerste contact met een lead"),
    "lead.stage_changed": _("Lead naar een andere fase"),
    "lead.submitted_again": _("Lead meldde zich opnieuw"),
    "member.cancelled": _("Lidmaatschap opgezegd"),
    "member.coach_changed": _("Andere coach voor een lid"),
    "member.enrolled": _("Nieuwe inschrijving"),
    "member.first_payment": _("Eerste betaling ontvangen"),
    "member.pause_withdrawn": _("Pauze ingetrokken"),
    "member.paused": _("Lidmaatschap gepauzeerd"),
    "member.stopped": _("Inschrijving gestopt"),
    "member.win_back": _("Bericht om een oud-lid terug te winnen verstuurd"),
    "payment.missed_decided": _("Besluit over een gemiste betaling"),
    "payment.refunded": _("Betaling terugbetaald"),
    "payment.term_charged_back": _("Termijn gestorneerd"),
    "payment.term_failed": _("Termijn niet betaald"),
    "payment.term_paid": _("Termijn betaald"),
    "person.erased": _("Gegevens van een persoon gewist"),
    "person.merged": _("Twee personen samengevoegd"),
    "program.price_changed": _("Prijs van een programma gewijzigd"),
    "progress.target_reached": _("Doel bereikt"),
    "rating.answered": _("Beoordeling gegeven"),
    "rating.asked": _("Om een beoordeling gevraagd"),
    "referral.attributed": _("Lead via een doorverwijzing"),
    "referral.reward_earned": _("Beloning voor een doorverwijzing verdiend"),
    "referral.reward_given": _("Beloning voor een doorverwijzing gegeven"),
    "renewal.talk_planned": _("Verlenggesprek gepland"),
    "renewal.talk_recorded": _("Verlenggesprek vastgelegd"),
    "risk.outreach": _("Contact met een lid dat dreigt te stoppen"),
    "schedule.personal_session": _("Personal training vastgelegd"),
    "session.booked": _("Les geboekt"),
    "session.cancelled": _("Boeking van een les geannuleerd"),
    "session.marked": _("Aanwezigheid bij een les vastgelegd"),
    "touchpoint.done": _("Contactmoment afgerond"),
    "touchpoint.sent": _("Contactmoment verstuurd"),
    "touchpoint.skipped": _("Contactmoment overgeslagen"),
    "whatsapp.received": _("WhatsApp-bericht ontvangen"),
}


def kind_label(kind: str) -> str:
    """The Dutch label of a kind, or its technical name when it has none (yet)."""
    label = LABELS.get(kind)
    return str(label) if label is not None else kind


def kind_html(kind: str) -> SafeString:
    """The label, and the technical name beside it in small print (the whole page's way of showing a kind)."""
    label = LABELS.get(kind)
    if label is None:
        return format_html('<code class="outbound-kind-name">{}</code>', kind)
    return format_html(
        '<span class="outbound-kind">{} <small><code class="outbound-kind-name">{}</code></small></span>',
        label,
        kind,
    )


def kind_choices() -> list[tuple[str, SafeString]]:
    """Every kind a subscription can choose, in the order of the technical names (so related ones stand together)."""
    return [(kind, kind_html(kind)) for kind in sorted(KINDS)]
