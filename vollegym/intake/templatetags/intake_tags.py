from __future__ import annotations

from typing import Any

from django import template

from vollegym.core import clock

register = template.Library()


@register.filter
def chunks(items: Any, size: int) -> list[list[Any]]:
    """[a, b, c, d, e, f] | chunks:3 → [[a, b, c], [d, e, f]]: the availability grid's rows."""
    listed = list(items)
    return [listed[i : i + size] for i in range(0, len(listed), size)]


@register.inclusion_tag("intake/_lead_panel.html", takes_context=True)
def lead_intake_panel(context: dict[str, Any], lead: Any) -> dict[str, Any]:
    """The intake's part of a lead's page: score and reasons, and the kennismakingsgesprek with its buttons.

    The leads app's template asks for this panel; the leads app's code knows nothing of the intake.
    """
    from vollegym.intake import selectors
    from vollegym.intake.booking_forms import OutcomeForm
    from vollegym.programs.selectors import member_of_lead

    bookings = selectors.bookings_of_lead(lead)
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "studio": lead.studio,
        "lead": lead,
        "response": selectors.response_of_lead(lead),
        "submissions": selectors.submissions_of_lead(lead),
        "planned": next((b for b in bookings if b.status == "booked"), None),
        # a conversation held (or begun) whose outcome is still to be recorded: no new one is offered meanwhile
        "pending": any(
            (b.status == "showed" and not b.outcome) or (b.status == "booked" and b.starts_at <= clock.now())
            for b in bookings
        ),
        "bookings": bookings,
        "can_book": bool(selectors.consultation_types(lead.studio)),
        "outcome_form": OutcomeForm(),
        "member": member_of_lead(lead),
        "now": clock.now(),
    }
