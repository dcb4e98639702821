"""Dates and times are typed the Dutch way in every form, whatever the browser's or the page's language."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

import pytest
from django import forms
from django.utils import translation

import vollegym
from vollegym.core.dateinputs import ClockField, DayField
from vollegym.core.testing import Cast, client_for
from vollegym.leads.services import lead_settings_for
from vollegym.schedule.models import Closure


class When(forms.Form):
    day = DayField()
    at = ClockField(required=False)


def cleaned(day: str, at: str = "") -> When:
    form = When({"day": day, "at": at})
    form.is_valid()
    return form


@pytest.mark.parametrize(
    "typed", ["3-1-2027", "03-01-2027", "2027-01-03", "3/1/2027", "03.01.2027", "3-1-27", "03012027"]
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_day_is_read_day_first_in_either_language(typed: str, language: str) -> None:
    with translation.override(language):
        assert cleaned(typed).cleaned_data["day"] == date(2027, 1, 3)


@pytest.mark.parametrize("typed", ["9:30", "09:30", "09.30", "930", "0930"])
def test_a_time_is_read_on_a_24_hour_clock(typed: str) -> None:
    assert cleaned("3-1-2027", typed).cleaned_data["at"] == time(9, 30)


def test_an_evening_and_a_bare_hour() -> None:
    assert cleaned("3-1-2027", "21:00").cleaned_data["at"] == time(21, 0)
    assert cleaned("3-1-2027", "9").cleaned_data["at"] == time(9, 0)


@pytest.mark.parametrize("typed", ["31-2-2027", "13/25/2027", "1/13/2027", "morgen", "3-1", "0301202"])
def test_nonsense_is_no_day_and_the_error_says_how_to_write_one(typed: str) -> None:
    with translation.override("nl"):
        form = cleaned(typed)
        assert form.errors["day"] == ["Vul een datum in als dd-mm-jjjj, bijvoorbeeld 3-1-2027."]


@pytest.mark.parametrize("typed", ["1-1-0001", "31-12-9999", "9999-12-31"])
def test_a_real_day_far_outside_any_plan_says_so(typed: str) -> None:
    with translation.override("nl"):
        form = cleaned(typed)
        assert form.errors["day"] == ["Die datum ligt te ver weg: kies een dag tussen 1900 en 2100."]


@pytest.mark.parametrize("typed", ["25:00", "9:75", "9 uur 30", "9:30 PM", "12345"])
def test_nonsense_is_no_time_and_the_error_says_how_to_write_one(typed: str) -> None:
    with translation.override("nl"):
        form = cleaned("3-1-2027", typed)
        assert form.errors["at"] == ["Vul een tijd in als uu:mm, bijvoorbeeld 9:30 of 21:00."]


def test_the_inputs_are_text_with_a_dutch_hint_and_show_the_dutch_form() -> None:
    form = When(initial={"day": date(2027, 1, 3), "at": time(9, 5)})
    with translation.override("nl"):
        day, at = str(form["day"]), str(form["at"])
    assert 'type="text"' in day and 'inputmode="numeric"' in day and 'placeholder="dd-mm-jjjj"' in day
    assert 'value="03-01-2027"' in day
    assert 'type="text"' in at and 'placeholder="uu:mm"' in at and 'value="09:05"' in at


@pytest.mark.django_db
def test_the_studio_forms_take_dutch_dates_and_times(cast: Cast) -> None:
    owner = client_for(cast.owner)
    closures = "/app/kracht-utrecht/rooster/sluitingen/"
    response = owner.post(closures, {"first_day": "27-4-2027", "last_day": "", "reason": "Koningsdag"})
    assert response.status_code == 302
    closure = Closure.objects.for_studio(cast.studio).get()
    assert (closure.first_day, closure.last_day) == (date(2027, 4, 27), date(2027, 4, 27))

    refused = owner.post(closures, {"first_day": "04/27/2027", "reason": "Koningsdag"}).content.decode()
    assert "Vul een datum in als dd-mm-jjjj, bijvoorbeeld 3-1-2027." in refused

    hours = {f"opens_{day}": "" for day in range(7)} | {f"closes_{day}": "" for day in range(7)}
    hours |= {"opens_0": "7.00", "closes_0": "21:30", "sla_minutes": "60"}
    owner.post("/app/kracht-utrecht/leads/settings/", hours)
    assert lead_settings_for(cast.studio).opening_hours["0"] == [["07:00", "21:30"]]
    page = owner.get("/app/kracht-utrecht/leads/settings/").content.decode()
    assert 'value="07:00"' in page and 'value="21:30"' in page and 'type="time"' not in page


def test_no_form_asks_the_browser_for_its_own_date_or_time_picker() -> None:
    """type=date and type=time follow the browser's language (mm/dd/yyyy, a 12-hour clock): the fields of
    core/dateinputs.py (DayField, ClockField) are for every date and time a person types."""
    native = re.compile(r"""type["']?\s*[:=]\s*["'](date|time|datetime-local)["']""")
    found = [
        f"{path.relative_to(Path(vollegym.__file__).parent)}:{number}"
        for path in Path(vollegym.__file__).parent.rglob("*")
        if path.suffix in {".py", ".html"} and "tests" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if native.search(line)
    ]
    assert found == []
