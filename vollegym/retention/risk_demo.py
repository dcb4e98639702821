"""Demo data of churn risk: the coaches worked the call list of the last half year, and logged how it went.

The list is replayed with the live rule (risk_replay.py) on the agenda's history (schedule/demo_stories.py gives the
members their stories). For most members who came on the list a coach called within a few days, at a working hour:
some picked up, some did not (and got a message the day after), a few were spoken to in the studio. What a member
said fits what they went on to do (a member who left said they wanted to stop or doubted); the report reads staying
from the runs, not from these words. Last week's list is mostly still to call, and some members slipped through.
Logged through the service, so each contact has its event; drawn from a fixed seed; loading again adds nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from vollegym.core import clock
from vollegym.programs.models import Member
from vollegym.retention.models import Outreach
from vollegym.retention.outreach import outreach_log
from vollegym.retention.risk import ENDING
from vollegym.retention.risk_replay import STAY_WEEKS, member_on, replay
from vollegym.studios.models import Studio, User

SEED = 4104
WEEKS = 26
EPISODE = timedelta(days=28)  # a member called lately is not called again for the same dip
NOTES = {
    "stays": [
        "Drukke weken op het werk; komt donderdag weer.",
        "Was ziek, voelt zich weer goed. Vaste plek blijft.",
        "Knie zeurde; rustig opbouwen, we passen het schema aan.",
        "Vakantie gehad, vergeten af te melden. Komt maandag.",
        "Maandag past niet meer; vaste plek naar woensdagavond.",
    ],
    "doubts": [
        "Twijfelt of het bij het nieuwe rooster past; bel over twee weken terug.",
        "Vindt het prijzig nu; praat erover met partner.",
        "Motivatie is weg; afspraak voor een doelgesprek gemaakt.",
    ],
    "leaving": [
        "Gaat verhuizen naar Zwolle.",
        "Nieuwe baan met avonddiensten; stopt na deze periode.",
        "Traint liever thuis; bedankt voor de tijd.",
    ],
}
# What members said when only their run's end put them on the list: the renewal conversation.
RENEWAL_NOTES = {
    "stays": [
        "Wil door; verlenggesprek staat donderdag na de training.",
        "Gaat verlengen en wil er een voedingsplan bij.",
    ],
    "doubts": [
        "Twijfelt tussen verlengen en zelf verder; belt volgende week terug.",
        "Doel bijna gehaald; wil eerst de eindmeting zien.",
    ],
    "leaving": [
        "Stopt na dit programma; traint zelf verder met het schema.",
        "Doel gehaald, stopt voorlopig. Mag over twee maanden een berichtje.",
    ],
}
NOT_ANSWERED = ["Voicemail ingesproken.", "Geen gehoor; morgen opnieuw."]
MESSAGE = "App gestuurd: hoe gaat het, zien we je deze week?"


def load(studio: Studio, now: datetime, owner: User | None) -> None:
    if Outreach.objects.for_studio(studio).exists():
        return
    zone = studio.zone
    today = clock.local(now, zone).date()
    rng = random.Random(SEED)
    found = replay(studio, first=today - timedelta(weeks=WEEKS), last=today, now=now)
    members = {m.pk: m for m in Member.objects.for_studio(studio).select_related("coach", "person")}
    for member_id in sorted(found.checks):
        member = members[member_id]
        called: datetime | None = None
        for check in found.checks[member_id]:
            if not check.risk.at_risk or (called is not None and check.moment - called < EPISODE):
                continue
            recent = check.moment > now - timedelta(days=7)
            if rng.random() < (0.75 if recent else 0.2):
                continue  # still to call, or slipped through
            day = clock.local(check.moment, zone).date() + timedelta(days=rng.randint(0, 3))
            at = clock.wall_time(day, time(rng.randint(10, 19), rng.choice([0, 15, 30, 45])), zone)
            if at is None or at > now - timedelta(hours=1):
                continue
            later = clock.local(check.moment, zone).date() + timedelta(weeks=STAY_WEEKS)
            stays = member_on(found.histories[member_id], later) if later <= today else rng.random() < 0.6
            by = member.coach or owner
            way = rng.choices(["reached", "not_reached", "message", "in_person"], weights=[55, 25, 12, 8])[0]
            outcome = ""
            if way in Outreach.REACHED_WAYS:
                if stays:
                    outcome = "stays" if rng.random() < 0.8 else "doubts"
                else:
                    outcome = "leaving" if rng.random() < 0.6 else "doubts"
            if way == "message":
                note = MESSAGE
            elif way == "not_reached":
                note = rng.choice(NOT_ANSWERED)
            else:
                note = rng.choice((RENEWAL_NOTES if check.risk.codes == [ENDING] else NOTES)[outcome])
            outreach_log(member=member, by=by, way=way, outcome=outcome, note=note, at=at)
            if way == "not_reached" and rng.random() < 0.6 and at + timedelta(days=1) < now:
                outreach_log(
                    member=member,
                    by=by,
                    way="message",
                    note=MESSAGE,
                    at=at + timedelta(days=1, hours=1),
                )
            called = at
