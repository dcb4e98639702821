"""The playbooks a studio starts with, one per program format and one per lead sequence, in our own words.

The rhythm follows what keeps new members (DOMAIN.md, retention): a goal and first bookings on day 0, a first win on
day 1, "what could get in the way?" on day 3, a week review with the next bookings on day 7, a milestone on day 14, a
call on day 21 to whoever did not come for a week, measurements and an evaluation on day 30.
"""

from __future__ import annotations

from datetime import time
from typing import Any

NO_VISIT_7_DAYS = "no_visit_7d"

# Stored as the studio's own words, in Dutch, like the rest of its content: not translated.
SMALL_GROUP: list[dict[str, Any]] = [
    {
        "day": 0,
        "kind": "email",
        "title": ("Welkom bij {studio}"),
        "text": (
            "Hoi {voornaam},\n\nWelkom bij {programma}! Fijn dat je er bent. Vanaf {startdatum} trainen we samen "
            "aan jouw doel. Boek alvast je trainingen voor de eerste twee weken in het rooster: wie vaste momenten "
            "heeft, houdt het vol.\n\nTot snel,\n{coach}"
        ),
    },
    {
        "day": 1,
        "kind": "task",
        "title": ("Eerste training: zorg voor een eerste succes"),
        "text": (
            "Spreek {voornaam} na de eerste training kort aan: wat ging goed? Noem één ding dat vandaag al lukte."
        ),
    },
    {
        "day": 3,
        "kind": "email",
        "title": ("Wat zou je in de weg kunnen zitten?"),
        "text": (
            "Hoi {voornaam},\n\nDe eerste dagen zitten erop. Wat zou je de komende weken in de weg kunnen zitten: "
            "werk, kinderen, een blessure, je agenda? Stuur het me gerust terug, dan zoeken we er samen een "
            "oplossing voor.\n\n{coach}"
        ),
    },
    {
        "day": 7,
        "kind": "task",
        "title": ("Weekevaluatie en de volgende twee trainingen geboekt"),
        "text": (
            "Loop de eerste week door met {voornaam} en kijk samen of de volgende twee trainingen al geboekt zijn."
        ),
    },
    {
        "day": 14,
        "kind": "email",
        "title": ("Twee weken onderweg"),
        "text": (
            "Hoi {voornaam},\n\nJe bent twee weken bezig met {programma}. Dat is de fase waarin veel mensen "
            "afhaken, en jij bent er nog. Kijk eens terug naar je eerste training: wat gaat nu makkelijker?\n\n"
            "{coach}"
        ),
    },
    {
        "day": 21,
        "kind": "task",
        "title": ("Belletje: even niet gezien"),
        "condition": NO_VISIT_7_DAYS,
        "text": (
            "{voornaam} kwam de laatste zeven dagen niet trainen. Bel even: hoe gaat het, wat houdt je "
            "tegen, en wanneer zien we je weer?"
        ),
    },
    {
        "day": 30,
        "kind": "task",
        "title": ("Meting en evaluatie"),
        "text": (
            "Plan met {voornaam} de meting van de eerste maand en een korte evaluatie: wat gaat goed, wat kan beter?"
        ),
    },
]

PERSONAL_TRAINING: list[dict[str, Any]] = [
    {
        "day": 0,
        "kind": "email",
        "title": ("Welkom bij {studio}"),
        "text": (
            "Hoi {voornaam},\n\nWelkom! Op {startdatum} begint {programma}. In onze eerste sessie zetten we je doel "
            "op papier en maken we een startmeting, zodat je straks ziet hoe ver je gekomen bent.\n\nTot dan,\n"
            "{coach}"
        ),
    },
    {
        "day": 1,
        "kind": "task",
        "title": ("Eerste sessie: doel vastleggen en een eerste succes"),
        "text": ("Leg het doel van {voornaam} vast en sluit de sessie af met iets wat vandaag al lukte."),
    },
    {
        "day": 3,
        "kind": "email",
        "title": ("Wat zou je in de weg kunnen zitten?"),
        "text": (
            "Hoi {voornaam},\n\nWat zou je de komende weken in de weg kunnen zitten? Laat het me weten, dan houden "
            "we er in je schema rekening mee.\n\n{coach}"
        ),
    },
    {
        "day": 7,
        "kind": "task",
        "title": ("Weekevaluatie en de volgende twee sessies gepland"),
        "text": ("Bespreek de eerste week met {voornaam} en zet de volgende twee sessies vast in de agenda."),
    },
    {
        "day": 14,
        "kind": "email",
        "title": ("Twee weken onderweg"),
        "text": (
            "Hoi {voornaam},\n\nTwee weken {programma}: knap. Wat merk je al, in je energie, je slaap of je "
            "kracht?\n\n{coach}"
        ),
    },
    {
        "day": 21,
        "kind": "task",
        "title": ("Belletje: even niet gezien"),
        "condition": NO_VISIT_7_DAYS,
        "text": ("{voornaam} was er de laatste zeven dagen niet. Bel even en plan de volgende sessie."),
    },
    {
        "day": 30,
        "kind": "task",
        "title": ("Meting en evaluatie"),
        "text": ("Doe met {voornaam} de meting van de eerste maand en een korte evaluatie."),
    },
]


def default_touchpoints(program_format: str) -> list[dict[str, Any]]:
    """The starting playbook for a program of this format: personal training (and duo) or small group."""
    chosen = SMALL_GROUP if program_format == "small_group" else PERSONAL_TRAINING
    return [{"at": time(9, 0), "condition": "", **row} for row in chosen]


# The lead sequences, in our own words: personal, short, signed by the coach. Day 0 is the day the lead came in,
# the day of the missed conversation, or the day the check-in is due. A task asks the coach for what a mail cannot
# do: a call, or a WhatsApp from their own phone to someone who agreed to it.
NOT_BOOKED: list[dict[str, Any]] = [
    {
        "day": 1,
        "at": time(10, 0),
        "kind": "task",
        "title": "Nabellen: nog geen gesprek gepland",
        "text": (
            "{voornaam} vroeg gisteren iets aan, maar we hebben nog niet gesproken. Bel even; geen gehoor? Spreek "
            "kort in en stuur, als {voornaam} dat goedvond, een persoonlijk WhatsApp-bericht."
        ),
    },
    {
        "day": 3,
        "at": time(9, 30),
        "kind": "email",
        "title": "Even over je aanvraag, {voornaam}",
        "text": (
            "Hoi {voornaam},\n\nJe vroeg een paar dagen geleden bij {studio} naar de mogelijkheden. Ik help je "
            "graag verder: in een kennismakingsgesprek kijken we samen naar je doel en wat daarvoor nodig is. Kies "
            "hier een moment dat jou past: {intakelink}\n\nLiever eerst even bellen? Antwoord op deze mail, dan "
            "bel ik je.\n\nGroet,\n{coach}"
        ),
    },
    {
        "day": 7,
        "at": time(10, 0),
        "kind": "task",
        "title": "Tweede belpoging: een week na de aanvraag",
        "text": (
            "Een week na de aanvraag van {voornaam} is er nog geen gesprek. Bel nog één keer, op een ander "
            "moment van de dag dan de vorige keer."
        ),
    },
    {
        "day": 14,
        "at": time(9, 30),
        "kind": "email",
        "title": "Zal ik je aanvraag sluiten, {voornaam}?",
        "text": (
            "Hoi {voornaam},\n\nWe hebben elkaar nog niet gesproken. Geen probleem: misschien is het nu gewoon "
            "niet het goede moment. Wil je toch kennismaken, kies dan hier een moment: {intakelink}\n\nLaat het me "
            "gerust weten, ook als het een nee is. Dan sluit ik je aanvraag en hoor je niets meer van ons.\n\n"
            "{coach}"
        ),
    },
]

NO_SHOW: list[dict[str, Any]] = [
    {
        "day": 0,
        "at": time(18, 0),
        "kind": "email",
        "title": "Zullen we een nieuw moment kiezen?",
        "text": (
            "Hoi {voornaam},\n\nWe hadden een kennismakingsgesprek staan, maar het lukte niet om elkaar te zien. "
            "Dat gebeurt, geen probleem. Zullen we een nieuw moment kiezen? Hier zie je wanneer het kan: "
            "{intakelink}\n\n{coach}"
        ),
    },
    {
        "day": 1,
        "at": time(10, 0),
        "kind": "task",
        "title": "Bellen: niet verschenen op het gesprek",
        "text": (
            "{voornaam} kwam niet naar het kennismakingsgesprek. Bel even: alles goed? Plan meteen een nieuw "
            "moment als het past."
        ),
    },
    {
        "day": 4,
        "at": time(9, 30),
        "kind": "email",
        "title": "Nog steeds welkom, {voornaam}",
        "text": (
            "Hoi {voornaam},\n\nWe hebben nog geen nieuw moment gevonden. Je bent nog steeds welkom: kies hier een "
            "moment dat beter uitkomt: {intakelink}\n\n{coach}"
        ),
    },
]

GONE_QUIET: list[dict[str, Any]] = [
    {
        "day": 0,
        "at": time(10, 0),
        "kind": "email",
        "title": "Hoe gaat het nu, {voornaam}?",
        "text": (
            "Hoi {voornaam},\n\nEen tijdje terug hadden we contact over trainen bij {studio}. Ik was benieuwd hoe "
            "het nu met je gaat, en of je doel nog speelt. Als je wilt, plannen we vrijblijvend een "
            "kennismakingsgesprek: {intakelink}\n\nEn past het nu niet, dan is dat helemaal goed.\n\n{coach}"
        ),
    },
]

SEQUENCES: dict[str, list[dict[str, Any]]] = {
    "not_booked": NOT_BOOKED,
    "no_show": NO_SHOW,
    "gone_quiet": GONE_QUIET,
}


def default_sequence(sequence: str) -> list[dict[str, Any]]:
    """The starting touchpoints of one of a studio's lead sequences."""
    return [{"condition": "", **row} for row in SEQUENCES[sequence]]
