"""The demo studio's public read-only token: made once, reads the demo studio, writes nothing, reaches no other."""

import pytest
from django.test import Client

from vollegym.api.demo import DEMO_TOKEN, load
from vollegym.api.models import ApiToken
from vollegym.core.testing import make_lead, make_staff, make_studio
from vollegym.studios.models import StaffMembership

pytestmark = pytest.mark.django_db


def test_the_demo_token_reads_the_demo_studio_and_nothing_else():
    demo, other = make_studio(slug="demo"), make_studio()
    make_staff(demo, role=StaffMembership.Role.OWNER)
    make_lead(demo, name="Eva de Boer", phone="+31612345678")
    load()
    load()  # a second `vollegym demo` makes no second token
    assert ApiToken.objects.for_studio(demo).count() == 1
    auth = {"Authorization": f"Bearer {DEMO_TOKEN}"}
    listed = Client().get("/api/v1/studios/demo/leads", headers=auth)
    assert listed.status_code == 200 and [lead["name"] for lead in listed.json()["items"]] == ["Eva de Boer"]
    written = Client().post(
        "/api/v1/studios/demo/leads",
        {"name": "Tom", "source": "website"},
        content_type="application/json",
        headers=auth,
    )
    assert written.status_code == 403
    assert Client().get(f"/api/v1/studios/{other.slug}/leads", headers=auth).status_code == 404
    assert Client().get("/api/v1/studios/demo/leads").status_code == 401
