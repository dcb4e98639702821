"""Ratings: asked once on day 30 and once before the end, only with consent; every score, low or high, is offered the
review link; a low score makes a call for the coach; NPS per month and coach; a link works only for its own studio."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from vollegym.core.testing import assert_other_studio_gets_404, client_for
from vollegym.messaging.models import Message
from vollegym.people.models import DomainEvent
from vollegym.people.rights import person_erase, person_export
from vollegym.people.services import consent_record
from vollegym.programs.models import Member
from vollegym.retention.models import Rating
from vollegym.retention.ratings import rating_answer, rating_ask, rating_token
from vollegym.retention.selectors import nps_report
from vollegym.retention.tests.test_playbooks import START, at_utc, enrolled, sweep_at

REVIEW = "https://g.page/r/kracht-utrecht/review"


def page_url(rating: Rating) -> str:
    return f"/s/{rating.studio.slug}/beoordeling/{rating_token(rating)}/"


def asked(cast, name: str = "Eva", **kwargs) -> Rating:
    enrolment = enrolled(cast.studio, name, **kwargs)
    rating = rating_ask(enrolment=enrolment, moment=Rating.Moment.DAY_30)
    assert rating is not None
    return rating


@pytest.mark.django_db
def test_asked_once_on_day_30_and_once_in_the_last_week(cast):
    enrolment = enrolled(cast.studio, "Eva")
    day_30 = START + timedelta(days=30)
    sweep_at(at_utc(day_30 - timedelta(days=1), 12))
    sweep_at(at_utc(day_30, 5))  # 07:00 in Amsterdam: not yet
    assert not Rating.objects.for_studio(cast.studio).exists()
    for hour in (8, 9, 15):
        sweep_at(at_utc(day_30, hour))
    sweep_at(at_utc(day_30 + timedelta(days=1), 9))
    rating = Rating.objects.for_studio(cast.studio).get()
    assert rating.moment == "day_30" and rating.enrolment == enrolment
    message = Message.objects.for_studio(cast.studio).get(purpose="rating")
    assert message.status != Message.Status.CANCELLED and message.key == f"rating:{rating.pk}"
    assert page_url(rating) in message.body and "aanraadt" in message.body
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="rating.asked").count() == 1
    # The last week before the end: asked once more, once.
    ends = enrolment.ends_on
    sweep_at(at_utc(ends - timedelta(days=8), 12))
    assert Rating.objects.for_studio(cast.studio).count() == 1
    for day in (7, 5, 0):
        sweep_at(at_utc(ends - timedelta(days=day), 12))
    end = Rating.objects.for_studio(cast.studio).get(moment="program_end")
    assert end.enrolment == enrolment
    assert Message.objects.for_studio(cast.studio).filter(purpose="rating").count() == 2


@pytest.mark.django_db
def test_a_day_30_missed_by_more_than_two_days_is_not_asked_late(cast):
    enrolled(cast.studio, "Eva")
    sweep_at(at_utc(START + timedelta(days=33), 12))
    assert not Rating.objects.for_studio(cast.studio).filter(moment="day_30").exists()


@pytest.mark.django_db
def test_never_sent_without_consent(cast):
    enrolment = enrolled(cast.studio, "Eva")
    consent_record(person=enrolment.member.person, purpose="contact", given=False, how="staff")
    sweep_at(at_utc(START + timedelta(days=30), 12))
    message = Message.objects.for_studio(cast.studio).get(purpose="rating")
    assert message.status == Message.Status.CANCELLED and "withdrew consent" in message.last_error
    event = DomainEvent.objects.for_studio(cast.studio).get(kind="rating.asked")
    assert "withdrew consent" in event.payload["refused"]


@pytest.mark.django_db
@pytest.mark.parametrize("score", [0, 2, 6, 7, 10])
def test_every_score_is_offered_the_same_review_link(cast, score):
    cast.studio.google_review_url = REVIEW
    cast.studio.save()
    rating = asked(cast)
    client = Client()
    form = client.get(page_url(rating))
    assert form.status_code == 200 and "Hoe waarschijnlijk is het dat je ons aanraadt?" in form.text
    assert REVIEW not in form.text
    response = client.post(page_url(rating), {"score": str(score), "comment": "Fijne coach"}, follow=True)
    assert response.status_code == 200
    assert REVIEW in response.text and "Dank je wel, Eva!" in response.text
    assert f">{score}<" not in response.text.split("<main", 1)[-1]  # the score is never shown back
    rating.refresh_from_db()
    assert rating.score == score and rating.comment == "Fijne coach" and rating.answered_at is not None


@pytest.mark.django_db
def test_without_a_review_link_the_page_thanks_without_one(cast):
    rating = asked(cast)
    response = Client().post(page_url(rating), {"score": "9"}, follow=True)
    assert "Dank je wel" in response.text and "Google" not in response.text


@pytest.mark.django_db
def test_answering_twice_updates_the_one_rating(cast):
    rating = asked(cast)
    client = Client()
    client.post(page_url(rating), {"score": "3", "comment": "Te druk"})
    again = client.get(page_url(rating) + "?opnieuw=1")
    assert 'name="score"' in again.text
    client.post(page_url(rating), {"score": "8"})
    assert Rating.objects.for_studio(cast.studio).count() == 1
    rating.refresh_from_db()
    assert rating.score == 8 and rating.comment == ""
    answers = DomainEvent.objects.for_studio(cast.studio).filter(kind="rating.answered").order_by("id")
    assert [e.payload["again"] for e in answers] == [False, True]


@pytest.mark.django_db
def test_a_forged_or_another_studios_token_is_404(cast):
    rating = asked(cast)
    token = rating_token(rating)
    client = Client()
    assert client.get(f"/s/{cast.studio.slug}/beoordeling/{token}x/").status_code == 404
    assert client.get(f"/s/{cast.studio.slug}/beoordeling/niet-echt/").status_code == 404
    assert client.get(f"/s/{cast.other_studio.slug}/beoordeling/{token}/").status_code == 404
    assert client.post(f"/s/{cast.other_studio.slug}/beoordeling/{token}/", {"score": "1"}).status_code == 404
    rating.refresh_from_db()
    assert rating.score is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("score=4&comment=a%00b", "niet kunnen bewaren"),
        ("score=4&comment=%ED%A0%80", "niet kunnen bewaren"),
        ("score=4&comment=" + "a" * 10_000, "er passen er 1000"),
        ("score=11&comment=", "Kies een cijfer van 0 tot en met 10"),
        ("score=abc", "Kies een cijfer van 0 tot en met 10"),
        ("comment=zonder", "Kies een cijfer van 0 tot en met 10"),
    ],
)
def test_a_hostile_answer_gets_a_clear_dutch_error(cast, body, words):
    rating = asked(cast)
    response = Client().post(page_url(rating), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and words in response.text
    rating.refresh_from_db()
    assert rating.score is None and rating.answered_at is None


@pytest.mark.django_db
def test_a_low_score_makes_a_call_for_the_coach_until_it_is_done(cast):
    low = asked(cast, "Eva", coach=cast.coach)
    high = asked(cast, "Tom", coach=cast.coach)
    Client().post(page_url(low), {"score": "4", "comment": "Te druk in de les"})
    Client().post(page_url(high), {"score": "9"})
    tasks = f"/app/{cast.studio.slug}/taken/"
    coach = client_for(cast.coach)
    page = coach.get(tasks).text
    assert "Laag cijfer: bel Eva" in page and "Te druk in de les" in page
    assert "bel Tom" not in page
    coach.post(f"/app/{cast.studio.slug}/taken/cijfer/{low.pk}/gebeld/")
    assert "Laag cijfer: bel Eva" not in coach.get(tasks).text
    low.refresh_from_db()
    assert low.called_by == cast.coach
    assert_other_studio_gets_404(
        f"/app/{cast.studio.slug}/taken/cijfer/{high.pk}/gebeld/", cast.outsider, "post"
    )
    assert_other_studio_gets_404(f"/app/{cast.studio.slug}/nps/", cast.outsider, method="get")


@pytest.mark.django_db
def test_nps_per_studio_month_and_coach(cast):
    # Coach: 10, 9, 7, 3 → 2 promoters, 1 passive, 1 detractor of 4 = +25. Without a coach: 10, 0 → 0.
    scores = [(10, cast.coach), (9, cast.coach), (7, cast.coach), (3, cast.coach), (10, None), (0, None)]
    ratings = [asked(cast, f"Lid{i}", coach=coach) for i, (_score, coach) in enumerate(scores)]
    unanswered = asked(cast, "Stil")
    march, april = at_utc(START, 12), at_utc(START + timedelta(days=20), 12)
    for i, (rating, (score, _coach)) in enumerate(zip(ratings, scores, strict=True)):
        rating_answer(rating=rating, score=score, now=march if i < 3 else april)
    Member.objects.for_studio(cast.studio).filter(pk=ratings[0].member_id).update(coach=None)  # later changes
    report = nps_report(cast.studio, since=START - timedelta(days=60))
    assert report.asked == 7 and unanswered.score is None
    total = report.total
    assert (total.answered, total.promoters, total.passives, total.detractors) == (6, 3, 1, 2)
    assert total.score == 17  # 50% - 33.3%
    months = {month.month: n.score for month, n in report.months}
    assert months == {3: 67, 4: -33}  # March 10, 9, 7; April 3, 10, 0
    coaches = {n.label: (n.answered, n.score) for n in report.coaches}
    assert coaches == {cast.coach.get_short_name(): (4, 25), "": (2, 0)}
    with time_machine.travel(at_utc(START + timedelta(days=25), 12), tick=False):
        page = client_for(cast.owner).get(f"/app/{cast.studio.slug}/nps/")
    assert (
        page.status_code == 200
        and "6 antwoorden op 7 vragen" in page.text
        and "<strong>17</strong>" in page.text
    )


@pytest.mark.django_db
def test_export_has_the_ratings_and_erasure_removes_the_comment(cast):
    rating = asked(cast)
    rating_answer(rating=rating, score=5, comment="Mijn knie doet pijn")
    data = person_export(person=rating.person, by=cast.owner)
    assert data["ratings"][0]["score"] == 5 and data["ratings"][0]["comment"] == "Mijn knie doet pijn"
    person_erase(person=rating.person, by=cast.owner)
    rating.refresh_from_db()
    assert rating.comment == "" and rating.score == 5
    assert Client().get(page_url(rating)).status_code == 404


@pytest.mark.django_db
def test_the_owner_sets_the_review_link_on_the_studio_details(cast):
    owner = client_for(cast.owner)
    url = f"/app/{cast.studio.slug}/gegevens/"
    base = {"name": cast.studio.name}
    refused = owner.post(url, {**base, "google_review_url": "http://g.page/r/x/review"})
    assert refused.status_code == 200 and "https://" in refused.text
    owner.post(url, {**base, "google_review_url": REVIEW})
    cast.studio.refresh_from_db()
    assert cast.studio.google_review_url == REVIEW
