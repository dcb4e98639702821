import pytest
from django.db import models

from vollegym.core.tenancy import (
    CrossStudioReferenceError,
    StudioOwned,
    UnscopedQueryError,
    studio_owned_models,
)
from vollegym.core.testing import make_studio
from vollegym.core.tests.tenancy_app.models import Booking, Room
from vollegym.studios.models import StaffMembership

pytestmark = pytest.mark.django_db


def test_every_model_with_a_studio_inherits_the_tenancy_base():
    found = studio_owned_models()
    assert StaffMembership in found  # the walk does find our models
    offenders = [m.__name__ for m in found if not issubclass(m, StudioOwned)]
    assert offenders == []


def test_every_studio_owned_model_refuses_unscoped_queries():
    for model in studio_owned_models():
        with pytest.raises(UnscopedQueryError):
            list(model.objects.all())  # type: ignore[attr-defined]


def test_unscoped_reads_writes_and_counts_are_refused():
    studio = make_studio()
    Room.objects.create(studio=studio, name="Zaal 1")
    for attempt in (
        lambda: list(Room.objects.all()),
        lambda: Room.objects.count(),
        lambda: Room.objects.exists(),
        lambda: Room.objects.get(name="Zaal 1"),
        lambda: Room.objects.filter(name="Zaal 1").update(name="x"),
        lambda: Room.objects.filter(name="Zaal 1").delete(),
        lambda: Room.objects.aggregate(n=models.Count("id")),
        lambda: list(Room.objects.iterator()),
        lambda: Room.objects.exclude(studio=studio).first(),
    ):
        with pytest.raises(UnscopedQueryError):
            attempt()


def test_scoped_queries_see_only_their_studio():
    one, two = make_studio(), make_studio()
    Room.objects.create(studio=one, name="Zaal A")
    Room.objects.create(studio=two, name="Zaal B")
    assert [r.name for r in Room.objects.for_studio(one)] == ["Zaal A"]
    assert Room.objects.filter(studio=two).get().name == "Zaal B"
    assert Room.objects.for_studio(one).filter(name="Zaal B").count() == 0
    assert Room.all_studios.count() == 2  # the named crossing


def test_a_row_cannot_point_at_another_studios_row():
    one, two = make_studio(), make_studio()
    theirs = Room.objects.create(studio=two, name="Hun zaal")
    with pytest.raises(CrossStudioReferenceError):
        Booking.objects.create(studio=one, room=theirs)
    with pytest.raises(CrossStudioReferenceError):
        Booking(studio=one, room_id=theirs.pk).save()  # by id, without the object loaded
    assert Booking.all_studios.count() == 0


def test_a_row_may_point_at_its_own_studios_row():
    one = make_studio()
    ours = Room.objects.create(studio=one, name="Onze zaal")
    booking = Booking.objects.create(studio=one, room=ours)
    booking.full_clean()
    assert Booking.objects.for_studio(one).get().room == ours
