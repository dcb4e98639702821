"""Ready-made Dutch questionnaires: a PT studio intake, a small-group intake, and the agency's intake for studio
owners on the Volle Gym site. Staff start from one of these and edit it; each edit is a new version."""

from __future__ import annotations

from typing import Any

from vollegym.intake.definition import Definition

CONTACT_CONSENT = (
    "Ja, {studio} mag contact met mij opnemen over mijn aanvraag (telefoon, e-mail of WhatsApp)."
)
WHATSAPP_CONSENT = "Ja, stuur mij berichten over mijn aanvraag via WhatsApp."

GOAL = {
    "key": "goal", "kind": "single", "label": "Wat wil je vooral bereiken?",
    "options": [
        {"value": "sterker", "label": "Sterker worden", "points": 10},
        {"value": "afvallen", "label": "Afvallen en fitter worden", "points": 10},
        {"value": "pijnvrij", "label": "Zonder pijn bewegen", "points": 10},
        {"value": "sport", "label": "Beter presteren in mijn sport", "points": 10},
        {"value": "fit", "label": "Me weer fit voelen", "points": 10},
        {"value": "anders", "label": "Iets anders", "points": 5},
    ],
}  # fmt: skip
GOAL_WORDS = {"key": "goal_words", "kind": "long_text", "label": "Vertel het in je eigen woorden", "required": False,
              "help": "Wat zou er over drie maanden anders moeten zijn?"}  # fmt: skip
WHY_NOW = {"key": "why_now", "kind": "long_text", "label": "Wat verandert er als het je lukt? Waarom nu?",
           "help": "Bijvoorbeeld een bruiloft, een vakantie of het advies van je huisarts.", "required": False}  # fmt: skip
TRIED = {
    "key": "tried", "kind": "multiple", "label": "Wat heb je al eens geprobeerd?",
    "options": [
        {"value": "sportschool", "label": "Een sportschoolabonnement"},
        {"value": "apps", "label": "Apps of online schema's"},
        {"value": "pt", "label": "Personal training"},
        {"value": "groep", "label": "Groepslessen"},
        {"value": "niets", "label": "Nog niets"},
    ],
}  # fmt: skip
STOPPED = {"key": "stopped", "kind": "long_text", "label": "Wat hield je toen tegen?", "required": False,
           "help": "Tijd, motivatie, een blessure, geen begeleiding…"}  # fmt: skip
LOOKING_FOR = {
    "key": "looking_for", "kind": "single", "label": "Wat zoek je het meest?",
    "options": [
        {"value": "begeleiding", "label": "Persoonlijke begeleiding en een plan", "points": 10},
        {"value": "groep", "label": "Trainen in een vaste, kleine groep", "points": 10},
        {"value": "goedkoop", "label": "Vooral een zo goedkoop mogelijke plek om te sporten",
         "disqualify": "Zoekt vooral een goedkope sportschool"},
    ],
}  # fmt: skip
AVAILABILITY = {"key": "availability", "kind": "availability", "label": "Wanneer kun je meestal trainen?",
                "help": "Kies alle momenten die in je week passen."}  # fmt: skip
HEALTH = {
    "key": "health", "kind": "multiple", "label": "Is een van deze dingen op jou van toepassing?", "required": False,
    "help": "Een ja is geen bezwaar: je coach weet dan waar hij op moet letten.",
    "options": [
        {"value": "hart", "label": "Een hartaandoening of hoge bloeddruk (door een arts vastgesteld)",
         "needs_note": True, "red_flag": True},
        {"value": "borst", "label": "Pijn op de borst, in rust of bij inspanning", "needs_note": True,
         "red_flag": True},
        {"value": "duizelig", "label": "Flauwvallen, of duizelig worden en je evenwicht verliezen",
         "needs_note": True, "red_flag": True},
        {"value": "chronisch", "label": "Een andere chronische aandoening (zoals diabetes, astma of COPD)",
         "needs_note": True, "red_flag": True},
        {"value": "arts", "label": "Een arts zei dat je alleen onder medisch toezicht mag bewegen", "needs_note": True,
         "red_flag": True},
        {"value": "gewrichten", "label": "Klachten aan gewrichten, rug of spieren", "needs_note": True},
        {"value": "medicatie", "label": "Ik gebruik medicijnen", "needs_note": True},
        {"value": "zwanger", "label": "Ik ben zwanger of net bevallen", "needs_note": True},
    ],
}  # fmt: skip
HEALTH_NOTE = {
    "key": "health_note",
    "kind": "long_text",
    "label": "Wil je daar iets over vertellen?",
    "required": False,
}
HEALTH_CONSENT = {
    "key": "health_consent", "kind": "consent", "required": False,
    "label": "Ja, de studio mag mijn antwoorden over mijn gezondheid bewaren, alleen om mij veilig te laten "
             "trainen. Ik kan dit altijd intrekken.",
}  # fmt: skip
START = {
    "key": "start", "kind": "single", "label": "Wanneer wil je beginnen?",
    "options": [
        {"value": "nu", "label": "Zo snel mogelijk", "points": 20},
        {"value": "maand", "label": "Binnen vier weken", "points": 15},
        {"value": "later", "label": "Over een paar maanden", "points": 5},
        {"value": "orienteren", "label": "Ik oriënteer me nog", "points": 0},
    ],
}  # fmt: skip
COMMITMENT = {"key": "commitment", "kind": "number", "label": "Hoe graag wil je dit, van 1 tot 10?", "minimum": 1,
              "maximum": 10, "points_from": 8, "points": 15}  # fmt: skip
INVESTMENT = {
    "key": "investment", "kind": "single", "label": "Wat wil je per maand in jezelf investeren?",
    "help": "Geen prijsgesprek: zo weten we welk plan bij je past.",
    "options": [
        {"value": "tot50", "label": "Tot € 50", "points": 0},
        {"value": "50_150", "label": "€ 50 tot € 150", "points": 10},
        {"value": "150_300", "label": "€ 150 tot € 300", "points": 20},
        {"value": "300plus", "label": "Meer dan € 300", "points": 20},
    ],
}  # fmt: skip

STEPS = [
    {"key": "goal", "title": "Je doel", "intro": "Eerst het belangrijkste: waar wil je naartoe?", "questions": [GOAL, GOAL_WORDS]},
    {"key": "why", "title": "Waarom nu", "questions": [WHY_NOW]},
    {"key": "tried", "title": "Wat je al probeerde", "questions": [TRIED, STOPPED, LOOKING_FOR]},
    {"key": "availability", "title": "Je week", "questions": [AVAILABILITY]},
    {"key": "health", "title": "Je gezondheid", "sensitive": True,
     "intro": "Zo kan je coach veilig met je beginnen. Deze antwoorden bewaren we alleen als je daar hieronder ja "
              "op zegt; anders vraagt je coach er in het gesprek naar.",
     "questions": [HEALTH, HEALTH_NOTE, HEALTH_CONSENT]},
    {"key": "readiness", "title": "Klaar om te beginnen?", "questions": [START, COMMITMENT, INVESTMENT]},
]  # fmt: skip


# Offers name no price of their own (price_cents stays 0): the plan shows the price of today of the program an
# offer is linked to in the editor, and without a program the coach names the price in the conversation.


def _definition(title: str, intro: str, offers: list[dict[str, Any]], plan_intro: str) -> dict[str, Any]:
    return {
        "title": title, "intro": intro, "contact_consent": CONTACT_CONSENT, "whatsapp_consent": WHATSAPP_CONSENT,
        "steps": STEPS, "offers": offers, "plan_intro": plan_intro,
    }  # fmt: skip


PT = _definition(
    "Intake personal training",
    "Een paar vragen over jou en je doel. Daarna laten we zien welk traject past, en wat het kost.",
    [
        {"name": "Transformatie 12 weken", "weeks": 12, "sessions_per_week": 2, "price_cents": 0,
         "promise": "In twaalf weken sterker, fitter en met een plan dat je daarna zelf volhoudt.",
         "fits_goals": ["sterker", "afvallen", "fit", "anders"]},
        {"name": "Pijnvrij bewegen 8 weken", "weeks": 8, "sessions_per_week": 2, "price_cents": 0,
         "promise": "In acht weken weer zonder pijn bewegen, stap voor stap en met een coach die meekijkt.",
         "fits_goals": ["pijnvrij", "sport"]},
    ],
    "Op basis van je antwoorden raden we dit traject aan.",
)  # fmt: skip

SMALL_GROUP = _definition(
    "Intake small group training",
    "Een paar vragen over jou, je doel en je week. Daarna zie je welke groep en welk lidmaatschap passen.",
    [
        {"name": "Small group 12 weken", "weeks": 12, "sessions_per_week": 2, "price_cents": 0,
         "promise": "Twaalf weken twee keer per week in een vaste groep van maximaal acht, met een persoonlijk plan.",
         "fits_goals": []},
    ],
    "Op basis van je antwoorden raden we dit aan.",
)  # fmt: skip

AGENCY = {
    "title": "Intake voor studio-eigenaren",
    "intro": "Vertel ons over je studio. Daarna weten we waar de groei blijft hangen, en plannen we een gesprek.",
    "contact_consent": "Ja, Volle Gym mag contact met mij opnemen over mijn studio.",
    "steps": [
        {"key": "studio", "title": "Je studio", "questions": [
            {"key": "studio_type", "kind": "single", "label": "Wat voor studio heb je?", "options": [
                {"value": "pt", "label": "Personal training", "points": 10},
                {"value": "small_group", "label": "Small group training", "points": 10},
                {"value": "both", "label": "Allebei", "points": 10},
                {"value": "starting", "label": "Ik begin binnenkort", "points": 0}]},
            {"key": "studio_name", "kind": "short_text", "label": "Naam en plaats van je studio", "required": False},
            {"key": "members", "kind": "number", "label": "Hoeveel leden of klanten heb je nu?", "minimum": 0,
             "maximum": 5000, "points_from": 30, "points": 10}]},
        {"key": "numbers", "title": "Je cijfers", "questions": [
            {"key": "open_spots", "kind": "number", "label": "Hoeveel plekken staan er per week open?", "minimum": 0,
             "maximum": 1000, "points_from": 5, "points": 15},
            {"key": "leads_per_month", "kind": "number", "label": "Hoeveel aanvragen krijg je per maand?",
             "minimum": 0, "maximum": 10000},
            {"key": "response_speed", "kind": "single", "label": "Hoe snel reageer je nu op een nieuwe aanvraag?",
             "options": [
                {"value": "uur", "label": "Binnen het uur", "points": 0},
                {"value": "dag", "label": "Dezelfde dag", "points": 10},
                {"value": "dagen", "label": "Binnen een paar dagen", "points": 20},
                {"value": "weet_niet", "label": "Dat weet ik niet", "points": 20}]}]},
        {"key": "goal", "title": "Je doel", "questions": [
            {"key": "goal", "kind": "single", "label": "Waar wil je vooral groeien?", "options": [
                {"value": "instroom", "label": "Meer aanvragen van de juiste mensen"},
                {"value": "opvolging", "label": "Elke aanvraag snel en persoonlijk opvolgen"},
                {"value": "intake", "label": "Meer aanvragen omzetten in leden, zonder korting"},
                {"value": "rooster", "label": "Mijn groepen en agenda vol krijgen"},
                {"value": "houden", "label": "Leden langer houden"}]},
            {"key": "goal_words", "kind": "long_text", "label": "Wat wil je over een jaar bereikt hebben?"},
            {"key": "start", "kind": "single", "label": "Wanneer wil je beginnen?", "options": [
                {"value": "nu", "label": "Zo snel mogelijk", "points": 20},
                {"value": "kwartaal", "label": "Dit kwartaal", "points": 10},
                {"value": "later", "label": "Later", "points": 0}]}]},
    ],
    # What the agency proposes, by where the owner wants to grow (the "goal" question); like a studio's offers they
    # name no price of their own: linked to one of the agency's programs the plan shows its price of today,
    # without one the price is discussed in the conversation.
    "offers": [
        {"name": "Instroom en opvolging", "weeks": 12, "sessions_per_week": 1, "price_cents": 0,
         "promise": "In twaalf weken een vaste stroom aanvragen uit je eigen buurt, en elke aanvraag binnen het uur "
                    "persoonlijk opgevolgd. Per bron zie je wat een nieuw lid kost en wat de eerste betaling oplevert.",
         "fits_goals": ["instroom", "opvolging"]},
        {"name": "Een intake zonder proefles", "weeks": 8, "sessions_per_week": 1, "price_cents": 0,
         "promise": "In acht weken een intake die eerst het doel van je klant boven tafel haalt en de prijs als "
                    "laatste noemt, en een transformatieprogramma met een duidelijke belofte en een duidelijke prijs. "
                    "Geen gratis proefles en geen korting meer nodig.",
         "fits_goals": ["intake"]},
        {"name": "Volle groepen", "weeks": 12, "sessions_per_week": 1, "price_cents": 0,
         "promise": "Elke week de open plekken in je groepen in beeld, gevuld met aanvragen die op die momenten "
                    "kunnen, en een prijs voor nieuwe leden die meegroeit zodra je groepen structureel vol zitten. "
                    "Wie al lid is, houdt de eigen prijs.",
         "fits_goals": ["rooster"]},
        {"name": "Leden die blijven", "weeks": 12, "sessions_per_week": 1, "price_cents": 0,
         "promise": "Een vast plan voor de eerste dertig dagen van elk nieuw lid, een seintje zodra iemand minder "
                    "komt, en verlengen op het goede moment. Twintig procent meer leden die blijven, weegt zwaarder "
                    "dan twee keer zoveel instroom.",
         "fits_goals": ["houden"]},
        {"name": "Het hele groeisysteem", "weeks": 12, "sessions_per_week": 1, "price_cents": 0,
         "promise": "Je website, aanvragen, opvolging, intake, rooster en leden in één systeem, met per stap de cijfers "
                    "die laten zien waar je als eerste kunt groeien.",
         "fits_goals": []},
    ],
    "plan_title": "Ons voorstel voor je studio",
    "plan_intro": "Met je antwoorden zien we waar in jouw studio de meeste groei zit. Dit stellen we voor; in het "
    "gesprek laten we zien hoe het er met jouw cijfers uitziet.",
}  # fmt: skip

PRESETS: dict[str, dict[str, Any]] = {"pt": PT, "small_group": SMALL_GROUP, "agency": AGENCY}


def preset(kind: str) -> Definition:
    return Definition.model_validate(PRESETS[kind])
