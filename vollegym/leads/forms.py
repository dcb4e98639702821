from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.dateinputs import ClockField
from vollegym.leads import selectors
from vollegym.leads.bulk import BULK_STAGES
from vollegym.leads.models import Activity, Source, Stage
from vollegym.messaging.forms import SelectionMessageForm
from vollegym.studios.models import Studio
from vollegym.studios.selectors import team_choices


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, Activity.Kind(k).label) for k in ("call", "whatsapp", "email", "in_person", "note")],
        label=_("Soort"),
    )
    outcome = forms.ChoiceField(
        choices=[("", "—"), *Activity.Outcome.choices], required=False, label=_("Uitkomst")
    )
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Notitie"))


class MoveForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices, label=_("Fase"))
    lost_reason = forms.CharField(max_length=200, required=False, label=_("Reden (bij verloren)"))


MANUAL_SOURCES = [
    ("walk_in", _("Binnengelopen")),
    ("phone", _("Telefoon")),
    ("instagram", _("Instagram DM")),
    ("referral", _("Doorverwijzing")),
    ("other", _("Anders")),
]


class ManualLeadForm(forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=150)
    phone = forms.CharField(label=_("Telefoon"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mailadres"), required=False)
    source = forms.ChoiceField(label=_("Hoe kwam deze lead binnen?"), choices=MANUAL_SOURCES)
    note = forms.CharField(label=_("Notitie"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    already_spoken = forms.BooleanField(
        label=_("Ik heb deze persoon al gesproken"), required=False, initial=True,
        help_text=_("Dan loopt er geen reactieklok en krijgt de lead geen automatisch bericht."),
    )  # fmt: skip

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Vul een telefoonnummer of e-mailadres in."))
        return data


class LeadSettingsForm(forms.Form):
    sla_minutes = forms.IntegerField(label=_("Reactietijd (minuten)"), min_value=5, max_value=24 * 60)
    round_robin = forms.BooleanField(label=_("Leads om de beurt over de coaches verdelen"), required=False)


WEEKDAYS = clock.WEEKDAY_NAMES


class OpeningHoursForm(forms.Form):
    """Per weekday one opening and one closing time; both empty means closed."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for day, label in enumerate(WEEKDAYS):
            self.fields[f"opens_{day}"] = ClockField(label=label, required=False)
            self.fields[f"closes_{day}"] = ClockField(label=_("tot"), required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for day, label in enumerate(WEEKDAYS):
            opens, closes = data.get(f"opens_{day}"), data.get(f"closes_{day}")
            if bool(opens) != bool(closes):
                self.add_error(
                    f"opens_{day}", _("Vul op %(day)s beide tijden in, of geen van beide.") % {"day": label}
                )
            elif opens and closes and closes <= opens:
                self.add_error(
                    f"closes_{day}", _("Op %(day)s sluit de studio voordat hij opengaat.") % {"day": label}
                )
        return data

    def hours(self) -> dict[str, list[list[str]]]:
        data = self.cleaned_data
        return {
            str(day): [[f"{data[f'opens_{day}']:%H:%M}", f"{data[f'closes_{day}']:%H:%M}"]]
            if data.get(f"opens_{day}")
            else []
            for day in range(7)
        }

    @staticmethod
    def initial_from(hours: dict[str, list[list[str]]]) -> dict[str, str]:
        initial = {}
        for day in range(7):
            intervals = hours.get(str(day)) or []
            if intervals:
                initial[f"opens_{day}"], initial[f"closes_{day}"] = intervals[0][0], intervals[-1][1]
        return initial


class MetaPageForm(forms.Form):
    page_id = forms.CharField(label=_("Pagina-id"), max_length=40)
    page_token = forms.CharField(label=_("Pagina-token"), widget=forms.PasswordInput(render_value=False))
    name = forms.CharField(label=_("Naam van de pagina"), max_length=120, required=False)


class LeadListForm(forms.Form):
    """The leads list's search, filters and order (a GET form: the address keeps them, links and paging too)."""

    zoek = forms.CharField(
        label=_("Zoeken"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Naam, telefoon, e-mail")}),
    )
    status = forms.ChoiceField(
        label=_("Open of gesloten"),
        required=False,
        choices=[(selectors.OPEN, _("Open")), (selectors.CLOSED, _("Gesloten")), (selectors.ALL, _("Alle"))],
    )
    fase = forms.ChoiceField(label=_("Fase"), required=False, choices=[("", _("Alle fasen")), *Stage.choices])
    bron = forms.ChoiceField(
        label=_("Bron"), required=False, choices=[("", _("Alle bronnen")), *Source.choices]
    )
    coach = forms.ChoiceField(label=_("Coach"), required=False)
    volgorde = forms.ChoiceField(
        label=_("Volgorde"),
        required=False,
        choices=[
            (selectors.URGENCY, _("Wie het langst wacht")),
            (selectors.NEWEST, _("Nieuwste eerst")),
            (selectors.NAME, _("Naam")),
        ],
    )

    def __init__(self, data: QueryDict, *, studio: Studio) -> None:
        super().__init__(data)
        coaches = [
            ("", _("Alle coaches")),
            (selectors.UNASSIGNED, _("Niemand toegewezen")),
            *team_choices(studio),
        ]
        self.fields["coach"] = forms.ChoiceField(label=_("Coach"), required=False, choices=coaches)

    def filters(self) -> selectors.LeadFilters:
        """What was asked; a value that is not one of the choices is left out rather than refused."""
        self.is_valid()
        data = self.cleaned_data
        return selectors.LeadFilters(
            search=data.get("zoek") or "",
            stage=data.get("fase") or "",
            source=data.get("bron") or "",
            coach=data.get("coach") or "",
            status=data.get("status") or selectors.OPEN,
            order=data.get("volgorde") or selectors.URGENCY,
        )


class LeadBulkForm(SelectionMessageForm):
    """What to do with the leads ticked in the list."""

    ASSIGN, MOVE, MESSAGE = "toewijzen", "fase", "bericht"

    actie = forms.ChoiceField(choices=[(ASSIGN, ASSIGN), (MOVE, MOVE), (MESSAGE, MESSAGE)])
    coach = forms.ChoiceField(label=_("Coach"), required=False)
    fase = forms.ChoiceField(
        label=_("Fase"), required=False, choices=[(str(s), s.label) for s in BULK_STAGES]
    )

    def __init__(self, data: QueryDict | None = None, *, studio: Studio) -> None:
        super().__init__(data, auto_id="bulk_%s")
        self.fields["coach"] = forms.ChoiceField(
            label=_("Coach"), required=False, choices=team_choices(studio)
        )
