"""The public intake's forms: the contact step, and one form per questionnaire step built from its questions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.intake.definition import Question, Step, availability_choices


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Je voornaam (en achternaam)"), max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))  # fmt: skip
    phone = forms.CharField(label=_("Telefoonnummer"), max_length=40, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))  # fmt: skip
    email = forms.EmailField(label=_("E-mailadres"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))  # fmt: skip
    contact = forms.BooleanField(label="", required=True,
                                 error_messages={"required": _("Zonder deze toestemming kunnen we je niet bereiken.")})  # fmt: skip
    whatsapp = forms.BooleanField(label="", required=False)
    # A field people do not see; bots fill it in.
    website = forms.CharField(required=False, label=_("Laat dit veld leeg"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))  # fmt: skip

    def __init__(self, *args: Any, contact_text: str, whatsapp_text: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].label = contact_text
        if whatsapp_text:
            self.fields["whatsapp"].label = whatsapp_text
        else:
            del self.fields["whatsapp"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(
                _("Vul je telefoonnummer of e-mailadres in, zodat we je kunnen bereiken.")
            )
        return data


def _field(question: Question) -> forms.Field:
    common: dict[str, Any] = {
        "label": question.label,
        "required": question.required,
        "help_text": question.help,
    }
    if question.kind == "single":
        return forms.ChoiceField(
            choices=[(o.value, o.label) for o in question.options], widget=forms.RadioSelect, **common
        )
    if question.kind == "multiple":
        return forms.MultipleChoiceField(
            choices=[(o.value, o.label) for o in question.options],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if question.kind == "availability":
        field = forms.MultipleChoiceField(
            choices=availability_choices(), widget=forms.CheckboxSelectMultiple, **common
        )
        field.grid = True  # type: ignore[attr-defined]  # rendered as a week grid, days by dayparts
        return field
    if question.kind == "number":
        return forms.IntegerField(
            min_value=question.minimum, max_value=question.maximum,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}), **common,
        )  # fmt: skip
    if question.kind == "long_text":
        return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if question.kind == "consent":
        return forms.BooleanField(**common)
    return forms.CharField(max_length=300, **common)


class StepForm(forms.Form):
    def __init__(self, *args: Any, step: Step, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in step.questions:
            self.fields[question.key] = _field(question)
        self.step = step

    def answers(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}
