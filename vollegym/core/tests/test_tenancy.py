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


def test_a_list_of_studios_is_no_scope():
    one, two = make_studio(), make_studio()
    Room.objects.create(studio=one, name="Zaal A")
    Room.objects.create(studio=two, name="Zaal B")
    from vollegym.studios.models import Studio

    for attempt in (
        lambda: list(Room.objects.filter(studio__in=Studio.objects.all())),
        lambda: list(Room.objects.filter(studio__in=[one.pk, two.pk])),
        lambda: Room.objects.filter(studio__in=[one]).count(),
        lambda: list(Room.objects.filter(studio=Studio.objects.filter(pk=one.pk)[:1])),
    ):
        with pytest.raises(UnscopedQueryError):
            attempt()


def test_an_unscoped_queryset_inside_another_query_is_refused():
    one, two = make_studio(), make_studio()
    mine = Room.objects.create(studio=one, name="Zaal A")
    Room.objects.create(studio=two, name="Zaal B")
    Booking.objects.create(studio=one, room=mine)
    with pytest.raises(UnscopedQueryError):
        list(Booking.objects.for_studio(one).filter(room__in=Room.objects.filter(name__startswith="Zaal")))
    with pytest.raises(UnscopedQueryError):
        list(
            Booking.objects.for_studio(one).filter(
                models.Exists(Room.objects.filter(pk=models.OuterRef("room")))
            )
        )
    with pytest.raises(UnscopedQueryError):
        Booking.objects.for_studio(one).annotate(
            n=models.Subquery(Room.objects.filter(pk=models.OuterRef("room")).values("pk")[:1])
        ).first()
    # Scoped inside, or crossing by name: allowed.
    scoped = Room.objects.for_studio(one).filter(name__startswith="Zaal")
    assert Booking.objects.for_studio(one).filter(room__in=scoped).count() == 1
    crossing = Room.all_studios.filter(name__startswith="Zaal")
    assert Booking.objects.for_studio(one).filter(room__in=crossing).count() == 1


def test_or_and_union_with_an_unscoped_queryset_are_not_scoped():
    one, two = make_studio(), make_studio()
    Room.objects.create(studio=one, name="Zaal A")
    Room.objects.create(studio=two, name="Zaal B")
    for attempt in (
        lambda: list(Room.objects.for_studio(one) | Room.objects.filter(name="Zaal B")),
        lambda: list(Room.objects.for_studio(one) ^ Room.objects.filter(name="Zaal B")),
        lambda: list(Room.objects.for_studio(one).union(Room.objects.filter(name="Zaal B"))),
        lambda: list(Room.objects.filter(name="Zaal B").union(Room.objects.for_studio(one))),
    ):
        with pytest.raises(UnscopedQueryError):
            attempt()
    both_scoped = Room.objects.for_studio(one) | Room.objects.for_studio(one).filter(name="x")
    assert [r.name for r in both_scoped] == ["Zaal A"]


def test_a_unique_constraint_is_checked_across_studios_without_lifting_the_scope_after(cast) -> None:
    """Django checks unique constraints through the default manager; the check names the conflict (not an
    UnscopedQueryError), and the manager is scoped again right after."""
    from django.core.exceptions import ValidationError

    from vollegym.referrals.models import ReferralSettings

    ReferralSettings.objects.create(studio=cast.studio)
    with pytest.raises(ValidationError):
        ReferralSettings(studio=cast.studio).full_clean()
    ReferralSettings(studio=cast.other_studio).full_clean()  # the other studio has none yet
    with pytest.raises(UnscopedQueryError):
        ReferralSettings.objects.count()
