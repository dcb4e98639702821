from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.core.dateinputs import ClockField
from vollegym.retention.models import COMMENT_MAX, LAST_DAY, Touchpoint


class TouchpointForm(forms.ModelForm[Touchpoint]):
    """One touchpoint in the editor; the model's own checks (placeholders, a condition only on a task) apply.

    For a lead sequence (`for_lead`): the kinds in a lead's words, its placeholders, and no condition on visits.
    """

    class Meta:
        model = Touchpoint
        fields = ["day", "at", "kind", "title", "text", "condition", "template"]
        field_classes = {"at": ClockField}
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, for_lead: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].widget.attrs.update({"min": 0, "max": LAST_DAY, "inputmode": "numeric"})
        self.instance.lead_sequence = for_lead
        if for_lead:
            del self.fields["condition"]
            kind = self.fields["kind"]
            assert isinstance(kind, forms.ChoiceField)
            kind.choices = list(Touchpoint.LEAD_KINDS)
            self.fields["day"].help_text = _(
                "Dagen na de aanvraag, het gemiste gesprek of het moment van de check-in: 0 is die dag zelf."
            )
            self.fields["text"].help_text = _(
                "Invulplekken: {voornaam}, {coach}, {studio}, {intakelink} (de link om een moment te kiezen)."
            )


class QuietMonthsForm(forms.Form):
    """After how many months without a sign of life a lead gets the one check-in."""

    months = forms.TypedChoiceField(
        label=_("Check-in na hoeveel maanden stilte?"),
        choices=[(n, str(n)) for n in range(1, 25)],
        coerce=int,
        error_messages={
            "required": _("Kies 1 tot en met 24 maanden."),
            "invalid_choice": _("Kies 1 tot en met 24 maanden."),
        },
    )


class RatingForm(forms.Form):
    """The member's answer: a score from 0 to 10 (big buttons, no JavaScript) and an optional comment.

    The comment's checks (length, what no one types) are the service's, so their Dutch words are the same everywhere.
    """

    score = forms.TypedChoiceField(
        label=_("Hoe waarschijnlijk is het dat je ons aanraadt?"),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies een cijfer van 0 tot en met 10."),
            "invalid_choice": _("Kies een cijfer van 0 tot en met 10."),
        },
    )
    comment = forms.CharField(
        label=_("Wil je er iets over kwijt? (mag leeg blijven)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comment"].validators = []  # NUL and the rest: the service refuses in its own words
