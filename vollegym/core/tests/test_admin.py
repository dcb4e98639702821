import pytest
from django.contrib import admin
from django.test import Client

from vollegym.core.tenancy import studio_owned_models
from vollegym.leads.services import LeadInput, lead_capture

pytestmark = pytest.mark.django_db


def test_every_admin_page_of_a_studio_owned_model_opens_for_the_agency(cast, admin_user):
    lead_capture(studio=cast.studio, data=LeadInput(source="website", email="eva@example.nl"))
    client = Client()
    client.force_login(admin_user)
    registered = [m for m in studio_owned_models() if m in admin.site._registry]
    assert len(registered) >= 7
    for model in registered:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url


def test_the_admin_is_closed_to_studio_staff(cast):
    client = Client()
    client.force_login(cast.owner)
    assert client.get("/admin/leads/lead/").status_code == 302
