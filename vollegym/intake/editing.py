"""Editing a questionnaire in the back office: a form over the texts, points and offers of its current version.

Saving publishes a new version; answers already given stay with the version they answered.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vollegym.core.money import euro, parse_euro
from vollegym.intake.definition import Definition


def _euro_to_cents(value: str) -> int:
    try:
        return parse_euro(value)
    except ValueError:
        raise forms.ValidationError(_("Schrijf een bedrag als 1.195,00")) from None


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
                add(f"offer.{i}.name", forms.CharField(label=_("Programma"), initial=offer.name)),
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
                add(
                    f"offer.{i}.price",
                    forms.CharField(label=_("Prijs"), initial=euro(offer.price_cents).replace("€ ", "")),
                ),
            ]
            if programs:
                names.append(
                    add(
                        f"offer.{i}.program",
                        forms.TypedChoiceField(
                            label=_("Toon in plaats daarvan het programma (met de prijs van vandaag)"),
                            choices=[("", _("— nee, deze tekst en prijs —")), *programs],
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
        starts = (".title", ".label", ".name", ".weeks")
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
        for name in self.fields:
            if name.startswith("offer.") and name.endswith(".price") and name in data:
                try:
                    data[name] = _euro_to_cents(str(data[name]))
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
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
            offer["weeks"], offer["price_cents"] = d[f"offer.{i}.weeks"], d[f"offer.{i}.price"]
            if f"offer.{i}.program" in d:
                offer["program"] = d[f"offer.{i}.program"]
        result["scoring"]["hot"], result["scoring"]["warm"] = d["scoring.hot"], d["scoring.warm"]
        return result
