"""The demo's sibling studios: generated once with history, their logins on the demo password."""

from __future__ import annotations

import pytest

from vollegym.core.generator import siblings
from vollegym.core.generator.run import login_email
from vollegym.leads.models import Lead
from vollegym.studios.models import Studio, User

pytestmark = pytest.mark.django_db


def test_the_siblings_are_made_once_with_history_and_the_demo_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(siblings, "SIBLINGS", 2)
    monkeypatch.setattr(siblings, "LEADS_PER_WEEK", 1.0)
    monkeypatch.setattr(siblings, "YEARS", 1)
    assert siblings.demo_siblings_load(password="volle-gym-demo") == ["zus-01", "zus-02"]
    assert siblings.demo_siblings_load(password="volle-gym-demo") == []  # a second start keeps them
    made = list(Studio.objects.filter(slug__startswith="zus-").order_by("slug"))
    assert [s.slug for s in made] == ["zus-01", "zus-02"]
    assert all(Lead.objects.for_studio(s).count() > 10 for s in made)
    assert User.objects.get(email=login_email("zus-01", "eigenaar")).check_password("volle-gym-demo")
