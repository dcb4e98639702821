"""A member answers the rating on a phone, without JavaScript: big buttons, then the thanks with the review link."""

from __future__ import annotations

import pytest

from vollegym.core.browser import PHONE, horizontal_overflow, screenshot
from vollegym.retention.models import Rating
from vollegym.retention.ratings import rating_ask, rating_token
from vollegym.retention.tests.test_playbooks import enrolled

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_member_answers_on_a_phone_and_is_offered_the_review_link(cast, new_page):
    cast.studio.google_review_url = "https://g.page/r/kracht-utrecht/review"
    cast.studio.save()
    rating = rating_ask(enrolment=enrolled(cast.studio, "Eva"), moment=Rating.Moment.DAY_30)
    assert rating is not None
    page = new_page(viewport=PHONE, javascript=False)
    page.goto(f"/s/{cast.studio.slug}/beoordeling/{rating_token(rating)}/")
    box = page.locator(".rating__choice span").first.bounding_box()
    assert box is not None and box["height"] >= 48 and box["width"] >= 44
    assert horizontal_overflow(page) is None
    page.locator(".rating__choice", has_text="3").first.click()
    page.fill("textarea[name=comment]", "Het rooster past me slecht.")
    screenshot(page, "rating-question-phone.png")
    page.get_by_role("button", name="Versturen").click()
    page.get_by_text("Dank je wel, Eva!").wait_for()
    assert page.get_by_role("link", name="Schrijf een review op Google").is_visible()
    assert horizontal_overflow(page) is None
    screenshot(page, "rating-thanks-phone.png")
    rating.refresh_from_db()
    assert rating.score == 3
