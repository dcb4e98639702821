"""The Django admin reads Dutch, or English for who chose it: its headers, our models and their fields."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils.functional import Promise

from vollegym.core.testing import Cast, client_for
from vollegym.leads.services import LeadInput, lead_capture
from vollegym.messaging.models import Message
from vollegym.studios.models import User

pytestmark = pytest.mark.django_db


def admin_page(user: User, path: str, language: str) -> str:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_admin_index_reads_dutch_or_english(admin_user: User) -> None:
    dutch = admin_page(admin_user, "/admin/", "nl")
    assert "Volle Gym beheer" in dutch and "Alle studio&#x27;s en hun gegevens" in dutch
    assert "Binnenkomende berichten" in dutch and "Websitebeheer" not in dutch
    english = admin_page(admin_user, "/admin/", "en")
    assert "Volle Gym administration" in english and "All studios and their data" in english
    assert (
        "Incoming messages" in english
        and "Volle Gym beheer" not in english
        and "Site administration" not in english
    )


def test_a_change_form_names_its_fields_in_the_chosen_language(cast: Cast, admin_user: User) -> None:
    lead_capture(
        studio=cast.studio, data=LeadInput(source="website", name="Eva de Boer", email="eva@example.nl")
    )
    message = Message.objects.for_studio(cast.studio).filter(channel=Message.Channel.EMAIL).first()
    assert message is not None
    path = f"/admin/messaging/message/{message.pk}/change/"
    dutch = admin_page(admin_user, path, "nl")
    assert "Volgende poging" in dutch and "Aan teamlid" in dutch and "nooit twee keer verstuurd" in dutch
    english = admin_page(admin_user, path, "en")
    assert "Next attempt" in english and "To team member" in english and "never sent twice" in english
    assert "Volgende poging" not in english


def test_every_field_of_our_admin_models_has_a_translated_name() -> None:
    """A field without a verbose name shows its attribute name (to_user, payload), English on a Dutch page."""
    untranslated = []
    for model in admin.site._registry:
        if not model.__module__.startswith("vollegym."):
            continue
        for field in model._meta.get_fields():
            # `studio` (the tenancy base's key) reads the same in both languages.
            if not isinstance(field, models.Field) or field.auto_created or field.name == "studio":
                continue
            if not isinstance(field.verbose_name, Promise):
                untranslated.append(f"{model._meta.label}.{field.name}")
        if not isinstance(model._meta.verbose_name, Promise):
            untranslated.append(model._meta.label)
    assert untranslated == [], "give these a verbose_name=_(...) in Dutch, and its English in django.po"
