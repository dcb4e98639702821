"""The admin is signed into through the back office; someone without admin rights is not sent round in circles."""

from __future__ import annotations

import pytest
from django.test import Client

from vollegym.core.testing import Cast, client_for

pytestmark = pytest.mark.django_db


def test_a_studio_owner_who_opens_the_admin_lands_in_the_back_office(cast: Cast) -> None:
    # Before, /admin/ → /admin/login/ → the sign-in → back to /admin/ for ever (the browser gave up).
    response = client_for(cast.owner).get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/app/kracht-utrecht/"
    assert "Het beheer is alleen voor het bureau." in response.content.decode()


def test_someone_signed_out_is_asked_to_sign_in_and_then_brought_to_the_admin() -> None:
    response = Client().get("/admin/")
    assert response.status_code == 302
    login = Client().get(response["Location"])
    assert login.status_code == 302 and login["Location"] == "/app/login/?next=/admin/"
