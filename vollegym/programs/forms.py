"""Back-office forms of programs and members; amounts are typed in euros the Dutch way and kept in cents."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from vollegym.core.dateinputs import DayField
from vollegym.core.money import euro, parse_euro
from vollegym.messaging.forms import SelectionMessageForm
from vollegym.programs import selectors
from vollegym.programs.models import Program, ProgramPrice
from vollegym.studios.models import Studio
from vollegym.studios.selectors import team_choices


class EuroField(forms.CharField):
    """An amount in euros ("1.195,00" or "1195") that cleans to cents."""

    default_error_messages = {"invalid": _("Vul een bedrag in euro's in, zoals 1.195,00.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "1.195,00"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return euro(value).replace("€ ", "") if isinstance(value, int) else value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            cents = parse_euro(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if cents <= 0:
            raise forms.ValidationError(_("Een prijs moet meer zijn dan € 0,00."), code="invalid")
        return cents


class ProgramForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Program
        fields = ["name", "promise", "kind", "format", "weeks", "sessions_per_week", "is_active", "position"]
        widgets = {"promise": forms.Textarea(attrs={"rows": 3})}


class NewProgramForm(ProgramForm):
    price = EuroField(label=_("Prijs voor het hele programma (of per periode)"))


class PriceForm(forms.Form):
    price = EuroField(label=_("Nieuwe prijs"))
    effective_from = DayField(label=_("Geldt vanaf"), error_messages={"required": _("Vul een datum in.")})
    reason = forms.CharField(label=_("Waarom"), required=False, max_length=200)


class EnrolForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Programma"), queryset=Program.objects.none(), empty_label=None,
        error_messages={"required": _("Kies een programma."), "invalid_choice": _("Kies een programma.")},
    )  # fmt: skip
    starts_on = DayField(label=_("Start"), error_messages={"required": _("Vul een startdatum in.")})
    first_payment_due = DayField(
        label=_("Eerste betaling op"), required=False, help_text=_("Leeg: op de startdatum.")
    )

    health_cleared = forms.BooleanField(
        label=_("De huisarts gaf akkoord om te trainen (besproken in het gesprek)"), required=False,
        help_text=_("Deze persoon gaf in de intake een gezondheidsrisico aan."),
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        studio: Studio,
        offers: list[tuple[Program, ProgramPrice]],
        needs_clearance: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not needs_clearance:
            del self.fields["health_cleared"]
        field = self.fields["program"]
        assert isinstance(field, forms.ModelChoiceField)
        prices = {program.pk: price for program, price in offers}
        field.queryset = Program.objects.for_studio(studio).filter(pk__in=list(prices))
        field.label_from_instance = lambda p: f"{p.name} · {euro(prices[p.pk].amount_cents)}"  # type: ignore[method-assign,assignment]


class MemberListForm(forms.Form):
    """The members list's search, filters and order (a GET form: the address keeps them, links and paging too)."""

    zoek = forms.CharField(
        label=_("Zoeken"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Naam, telefoon, e-mail")}),
    )
    programma = forms.ChoiceField(label=_("Programma"), required=False)
    coach = forms.ChoiceField(label=_("Coach"), required=False)
    volgorde = forms.ChoiceField(
        label=_("Volgorde"),
        required=False,
        choices=[
            (selectors.BY_NAME, _("Naam")),
            (selectors.BY_START, _("Startdatum, nieuwste eerst")),
            (selectors.BY_END, _("Einddatum")),
        ],
    )
    # The tab (active or ended) is a link, not a field of the form: kept in a hidden field so filtering stays on it.
    status = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[(selectors.ACTIVE, selectors.ACTIVE), (selectors.ENDED, selectors.ENDED)],
    )

    def __init__(self, data: QueryDict, *, studio: Studio) -> None:
        super().__init__(data)
        programs = [
            (str(p.pk), p.name) for p in Program.objects.for_studio(studio).order_by("position", "id")
        ]
        self.fields["programma"] = forms.ChoiceField(
            label=_("Programma"), required=False, choices=[("", _("Alle programma's")), *programs]
        )
        coaches = [("", _("Alle coaches")), (selectors.UNASSIGNED, _("Geen coach")), *team_choices(studio)]
        self.fields["coach"] = forms.ChoiceField(label=_("Coach"), required=False, choices=coaches)

    def filters(self) -> selectors.MemberFilters:
        """What was asked; a value that is not one of the choices is left out rather than refused."""
        self.is_valid()
        data = self.cleaned_data
        return selectors.MemberFilters(
            search=data.get("zoek") or "",
            program=data.get("programma") or "",
            coach=data.get("coach") or "",
            status=data.get("status") or selectors.ACTIVE,
            order=data.get("volgorde") or selectors.BY_NAME,
        )


class MemberBulkForm(SelectionMessageForm):
    """What to do with the members ticked in the list."""

    ASSIGN, MESSAGE = "toewijzen", "bericht"

    actie = forms.ChoiceField(choices=[(ASSIGN, ASSIGN), (MESSAGE, MESSAGE)])
    coach = forms.ChoiceField(label=_("Coach"), required=False)

    def __init__(self, data: QueryDict | None = None, *, studio: Studio) -> None:
        super().__init__(data, auto_id="bulk_%s")
        self.fields["coach"] = forms.ChoiceField(
            label=_("Coach"), required=False, choices=team_choices(studio)
        )
