"""Back-office forms of programs and members; amounts are typed in euros the Dutch way and kept in cents."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from vollegym.core.dateinputs import ClockField, DayField
from vollegym.core.money import euro, parse_euro
from vollegym.messaging.forms import SelectionMessageForm
from vollegym.programs import selectors
from vollegym.programs.models import Enrolment, MembershipRules, Program, ProgramPrice, VatRate
from vollegym.programs.models.endings import REASON_TEXT_MAX, Reason
from vollegym.programs.pauses import PAUSE_REASON_MAX
from vollegym.programs.renewals import DECLINED, LATER_ON, RENEWED
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
        fields = [
            "name", "promise", "kind", "format", "weeks", "sessions_per_week", "vat_rate", "renewal_price",
            "renewal_talk_days", "is_active", "position",
        ]  # fmt: skip
        widgets = {"promise": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A form sent without a rate (an older page, a script) keeps the program's rate, or the sport rate.
        self.fields["vat_rate"].required = False

    def clean_vat_rate(self) -> int:
        chosen = self.cleaned_data.get("vat_rate")
        if chosen in (None, ""):
            return self.instance.vat_rate if self.instance.pk else VatRate.SPORT
        return int(chosen)


class NewProgramForm(ProgramForm):
    """A new program: renewing takes the defaults (the agreed price, a talk 14 days before the end) until changed."""

    price = EuroField(label=_("Prijs voor het hele programma (of per periode)"))

    class Meta(ProgramForm.Meta):
        fields = [
            "name", "promise", "kind", "format", "weeks", "sessions_per_week", "vat_rate", "is_active", "position",
        ]  # fmt: skip


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

    at_distance = forms.BooleanField(
        label=_("Online, telefonisch of per video afgesloten"), required=False,
        help_text=_("Dan heeft het lid 14 dagen bedenktijd: opzeggen stopt in die tijd meteen."),
    )  # fmt: skip
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


# ---- pausing, cancelling, the renewal conversation -----------------------------------------------------------


def _run_label(run: Enrolment) -> str:
    return f"{run.program.name} ({run.starts_on:%d-%m-%Y})"


class _RunChoice(forms.Form):
    """Which of the member's runs (only asked when there is more than one going on)."""

    def __init__(self, *args: Any, runs: list[Enrolment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.runs = {str(run.pk): run for run in runs}
        if len(runs) > 1:
            self.fields["run"] = forms.ChoiceField(
                label=_("Welk programma"), choices=[(key, _run_label(run)) for key, run in self.runs.items()],
                widget=forms.RadioSelect, initial=next(iter(self.runs), None),
                error_messages={"required": _("Kies een programma."), "invalid_choice": _("Kies een programma.")},
            )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.runs:
            raise forms.ValidationError(_("Er loopt op dit moment niets om te pauzeren of op te zeggen."))
        return data

    def run(self) -> Enrolment | None:
        """The run chosen (the only one when there is one); call after is_valid()."""
        if len(self.runs) == 1:
            return next(iter(self.runs.values()))
        return self.runs.get(self.cleaned_data.get("run") or "")


class PauseForm(_RunChoice):
    starts_on = DayField(
        label=_("Pauze vanaf"), error_messages={"required": _("Vul de eerste dag van de pauze in.")}
    )
    ends_on = DayField(
        label=_("Tot en met"), error_messages={"required": _("Vul de laatste dag van de pauze in.")}
    )
    reason = forms.CharField(
        label=_("Waarom (mag leeg)"), required=False, max_length=PAUSE_REASON_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("Vakantie, blessure, drukke periode")}),
    )  # fmt: skip


class CancelForm(_RunChoice):
    reason = forms.ChoiceField(
        label=_("Waarom stop je? (hoeft niet)"), required=False, choices=Reason.choices, widget=forms.RadioSelect,
        initial="",
    )  # fmt: skip
    reason_text = forms.CharField(
        label=_("Wil je er iets over kwijt? (hoeft niet)"), required=False, max_length=REASON_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class MembershipRulesForm(forms.Form):
    pause_max_weeks = forms.IntegerField(
        label=capfirst(MembershipRules._meta.get_field("pause_max_weeks").verbose_name), min_value=1, max_value=26,
        help_text=MembershipRules._meta.get_field("pause_max_weeks").help_text,
    )  # fmt: skip
    members_may_pause = forms.BooleanField(
        label=capfirst(MembershipRules._meta.get_field("members_may_pause").verbose_name), required=False,
        help_text=MembershipRules._meta.get_field("members_may_pause").help_text,
    )  # fmt: skip
    win_back_weeks = forms.IntegerField(
        label=capfirst(MembershipRules._meta.get_field("win_back_weeks").verbose_name), min_value=0, max_value=52,
        help_text=MembershipRules._meta.get_field("win_back_weeks").help_text,
    )  # fmt: skip


class TalkPlanForm(forms.Form):
    day = DayField(label=_("Dag"), error_messages={"required": _("Vul een dag in.")})
    at = ClockField(label=_("Tijd"), error_messages={"required": _("Vul een tijd in.")})


class TalkOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Wat kwam eruit?"), widget=forms.RadioSelect,
        choices=[(RENEWED, _("Verlengd")), (DECLINED, _("Stopt")), (LATER_ON, _("Later nog eens"))],
        error_messages={"required": _("Kies wat er uit het gesprek kwam.")},
    )  # fmt: skip
    reason = forms.ChoiceField(
        label=_("Reden (bij stoppen, hoeft niet)"), required=False, choices=Reason.choices
    )
    later_on = DayField(
        label=_("Later: terug op de lijst op"), required=False, help_text=_("Leeg: over een week.")
    )
    note = forms.CharField(
        label=_("Notitie (hoeft niet)"), required=False, max_length=REASON_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
