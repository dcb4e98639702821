"""Editing a questionnaire in the back office: a form over the texts, points and offers of its current version.

An offer's price is not edited here: the plan shows the price of today of the program the offer stands for, so a
price raise reaches the intake by itself; an offer without a program shows no price.

Saving publishes a new version; answers already given stay with the version they answered.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.intake.definition import Definition
from vollegym.intake.services.questions import ADDABLE_KINDS, QuestionInput


class QuestionnaireForm(forms.Form):
    """One field per editable text or number of the definition, named after its place in it."""

    def __init__(
        self, *args: Any, definition: Definition, programs: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.sections: list[tuple[str, list[str]]] = []
        add = self._add
        names = [add("title", forms.CharField(label=_("Titel"), initial=definition.title, max_length=120)),
                 add("intro", forms.CharField(label=_("Inleiding"), initial=definition.intro, required=False,
                                              widget=forms.Textarea(attrs={"rows": 2})))]  # fmt: skip
        self.sections.append((str(_("Algemeen")), names))
        for step in definition.steps:
            names = [
                add(
                    f"step.{step.key}.title",
                    forms.CharField(label=_("Titel van de stap"), initial=step.title),
                )
            ]
            for q in step.questions:
                names.append(
                    add(
                        f"q.{q.key}.label", forms.CharField(label=_("Vraag"), initial=q.label, max_length=300)
                    )
                )
                names.append(
                    add(f"q.{q.key}.help", forms.CharField(label=_("Uitleg"), initial=q.help, required=False))
                )
                names.append(
                    add(
                        f"q.{q.key}.required",
                        forms.BooleanField(label=_("Verplicht"), initial=q.required, required=False),
                    )
                )
                if q.kind == "number" and q.points_from is not None:
                    names.append(add(f"q.{q.key}.points", forms.IntegerField(
                        label=_("Punten vanaf %(n)s") % {"n": q.points_from}, initial=q.points, min_value=-100, max_value=100)))  # fmt: skip
                for o in q.options:
                    names.append(
                        add(
                            f"o.{q.key}.{o.value}.label",
                            forms.CharField(label=_("Antwoord"), initial=o.label),
                        )
                    )
                    names.append(add(f"o.{q.key}.{o.value}.points", forms.IntegerField(
                        label=_("Punten"), initial=o.points, min_value=-100, max_value=100)))  # fmt: skip
                    names.append(add(f"o.{q.key}.{o.value}.disqualify", forms.CharField(
                        label=_("Markeer als (leeg: niet)"), initial=o.disqualify, required=False)))  # fmt: skip
            self.sections.append((step.title, names))
        names = []
        for i, offer in enumerate(definition.offers):
            names += [
                add(f"offer.{i}.name", forms.CharField(label=_("Naam van het aanbod"), initial=offer.name)),
                add(
                    f"offer.{i}.promise",
                    forms.CharField(
                        label=_("Belofte"), initial=offer.promise, widget=forms.Textarea(attrs={"rows": 2})
                    ),
                ),
                add(
                    f"offer.{i}.weeks",
                    forms.IntegerField(label=_("Weken"), initial=offer.weeks, min_value=1, max_value=104),
                ),
            ]
            goal = definition.question("goal")
            if goal is not None and goal.options:
                names.append(
                    add(
                        f"offer.{i}.fits_goals",
                        forms.MultipleChoiceField(
                            label=_("Past bij het doel"),
                            help_text=_(
                                "Geen vinkje: past bij elk doel. Het plan toont het eerste aanbod dat past."
                            ),
                            choices=[(o.value, o.label) for o in goal.options],
                            initial=offer.fits_goals,
                            required=False,
                            widget=forms.CheckboxSelectMultiple,
                        ),
                    )
                )
            choices = [("", _("— geen programma: geen prijs in het plan —")), *(programs or [])]
            if offer.program is not None and offer.program not in {pk for pk, _name in programs or []}:
                choices.append((offer.program, _("Een programma dat niet meer te koop is (geen prijs)")))
            names.append(
                add(
                    f"offer.{i}.program",
                    forms.TypedChoiceField(
                        label=_("Programma en prijs"),
                        help_text=_(
                            "Alleen een aanbod met een programma toont een prijs: die van vandaag, zoals bij "
                            "Programma's. Zonder programma zegt het plan dat de coach de prijs in het gesprek "
                            "bespreekt."
                        ),
                        choices=choices,
                        coerce=int,
                        empty_value=None,
                        required=False,
                        initial=offer.program or "",
                    ),
                )
            )
        if names:
            self.sections.append((str(_("Het plan en de prijs")), names))
        hot = add(
            "scoring.hot", forms.IntegerField(label=_("Heet vanaf (punten)"), initial=definition.scoring.hot)
        )
        warm = add(
            "scoring.warm",
            forms.IntegerField(label=_("Warm vanaf (punten)"), initial=definition.scoring.warm),
        )
        self.sections.append((str(_("Scoren")), [hot, warm]))

    def rows(self) -> list[tuple[str, list[list[str]]]]:
        """Each section's fields in rows: a question with its help, then one row per answer option."""
        starts = (".title", ".label", ".name", ".weeks", ".fits_goals")
        grouped = []
        for title, names in self.sections:
            rows: list[list[str]] = []
            for name in names:
                if (
                    not rows
                    or (name.endswith(starts) and name not in ("title",))
                    or (name.endswith(".points") and name.startswith("q."))
                ):
                    rows.append([])
                rows[-1].append(name)
            grouped.append((title, rows))
        return grouped

    def _add(self, name: str, field: forms.Field) -> str:
        self.fields[name] = field
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("scoring.warm") is not None
            and data.get("scoring.hot") is not None
            and data["scoring.warm"] > data["scoring.hot"]
        ):
            self.add_error("scoring.warm", _("Warm begint niet boven heet."))
        return data

    def edited(self) -> dict[str, Any]:
        """The definition with the edits applied, as a dict (validated again on publishing)."""
        d = self.cleaned_data
        result = self.definition.model_dump()
        result["title"], result["intro"] = d["title"], d["intro"]
        for step in result["steps"]:
            step["title"] = d[f"step.{step['key']}.title"]
            for q in step["questions"]:
                q["label"], q["help"], q["required"] = (
                    d[f"q.{q['key']}.label"],
                    d[f"q.{q['key']}.help"],
                    d[f"q.{q['key']}.required"],
                )
                if f"q.{q['key']}.points" in d:
                    q["points"] = d[f"q.{q['key']}.points"]
                for o in q["options"]:
                    prefix = f"o.{q['key']}.{o['value']}"
                    o["label"], o["points"], o["disqualify"] = (
                        d[f"{prefix}.label"],
                        d[f"{prefix}.points"],
                        d[f"{prefix}.disqualify"],
                    )
        for i, offer in enumerate(result["offers"]):
            offer["name"], offer["promise"] = d[f"offer.{i}.name"], d[f"offer.{i}.promise"]
            offer["weeks"], offer["program"] = d[f"offer.{i}.weeks"], d[f"offer.{i}.program"]
            if f"offer.{i}.fits_goals" in d:
                # A goal no longer asked stays (the offer keeps fitting nobody for it, rather than every goal).
                goal = self.definition.question("goal")
                asked = {option.value for option in goal.options} if goal is not None else set()
                kept = [value for value in offer["fits_goals"] if value not in asked]
                offer["fits_goals"] = [*d[f"offer.{i}.fits_goals"], *kept]
        result["scoring"]["hot"], result["scoring"]["warm"] = d["scoring.hot"], d["scoring.warm"]
        return result


# ---- adding questions and answers (the structure page) --------------------------------------------------------

KIND_LABELS = {
    "single": _("Eén antwoord kiezen"),
    "multiple": _("Meer antwoorden kiezen"),
    "short_text": _("Korte tekst"),
    "long_text": _("Lange tekst"),
    "number": _("Getal"),
    "availability": _("Weekrooster (ochtend, middag, avond)"),
    "consent": _("Toestemming (vinkje)"),
}
# What a question does beyond its own answer, so an owner knows what removing it changes.
ROLES = {
    "goal": _("Bepaalt welk aanbod het plan toont (zie Het plan en de prijs)."),
    "investment": _("Bepaalt de prijs per maand in het plan en of er een kleiner plan bij komt."),
    "availability": _("Wordt vergeleken met de open plekken in je groepen."),
    "goal_words": _("Samen met ‘waarom nu’ punten voor een duidelijk doel met een reden."),
    "why_now": _("Samen met het doel in eigen woorden punten voor een duidelijk doel met een reden."),
}
CONSENT_ROLE = _(
    "Wettelijk nodig: zonder deze toestemming bewaren we de antwoorden van deze stap niet (AVG)."
)


class QuestionAddForm(forms.Form):
    """A new question at the end of a step; the service says what is missing (a text, two answers, …)."""

    label = forms.CharField(label=_("Vraag"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Soort vraag"), choices=[(k, KIND_LABELS[k]) for k in ADDABLE_KINDS])
    options = forms.CharField(
        label=_("Antwoorden, één per regel"),
        help_text=_("Bij een keuzevraag: minstens twee. Punten geef je daarna per antwoord."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    help = forms.CharField(label=_("Uitleg onder de vraag"), max_length=300, required=False)
    required = forms.BooleanField(label=_("Verplicht"), required=False, initial=True)
    minimum = forms.IntegerField(label=_("Kleinste getal"), required=False)
    maximum = forms.IntegerField(label=_("Grootste getal"), required=False)
    points_from = forms.IntegerField(label=_("Punten vanaf dit getal"), required=False)
    points = forms.IntegerField(label=_("Punten"), required=False, initial=0)

    def question(self) -> QuestionInput:
        d = self.cleaned_data
        return QuestionInput(
            label=d["label"], kind=d["kind"], help=d["help"], required=d["required"],
            options=tuple(d["options"].splitlines()), minimum=d["minimum"], maximum=d["maximum"],
            points_from=d["points_from"], points=d["points"] or 0,
        )  # fmt: skip


class OptionAddForm(forms.Form):
    label = forms.CharField(label=_("Nieuw antwoord"), max_length=200, required=False)
    points = forms.IntegerField(label=_("Punten"), required=False, initial=0)
