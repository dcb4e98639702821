import pytest

from vollegym.core.testing import client_for
from vollegym.messaging.models import Message
from vollegym.studios.models import StaffMembership, User

pytestmark = pytest.mark.django_db


def test_owner_invites_a_coach_who_gets_a_role_but_no_password_from_the_owner(cast):
    response = client_for(cast.owner).post(
        "/app/kracht-utrecht/team/", {"email": "Nieuw@Kracht.nl", "full_name": "Nina", "role": "coach"}
    )
    assert response.status_code == 302
    membership = StaffMembership.objects.for_studio(cast.studio).get(user__email="nieuw@kracht.nl")
    assert membership.role == "coach"
    assert not membership.user.has_usable_password()  # set by Nina herself, through the mailed link
    (mail,) = Message.objects.for_studio(cast.studio).filter(to="nieuw@kracht.nl")
    assert mail.purpose == "staff_invite" and "/app/login/uitnodiging/" in mail.body


def test_a_coach_cannot_add_or_remove_team_members(cast):
    coach = client_for(cast.coach)
    response = coach.post(
        "/app/kracht-utrecht/team/", {"email": "x@kracht.nl", "full_name": "X", "role": "owner"}
    )
    assert response.status_code == 404
    assert not User.objects.filter(email="x@kracht.nl").exists()
    owner_membership = StaffMembership.objects.for_studio(cast.studio).get(user=cast.owner)
    assert coach.post(f"/app/kracht-utrecht/team/{owner_membership.pk}/remove/").status_code == 404
    assert StaffMembership.objects.for_studio(cast.studio).count() == 2


def test_the_last_owner_cannot_be_removed(cast):
    owner_membership = StaffMembership.objects.for_studio(cast.studio).get(user=cast.owner)
    response = client_for(cast.owner).post(
        f"/app/kracht-utrecht/team/{owner_membership.pk}/remove/", follow=True
    )
    assert "minstens één eigenaar" in response.text
    assert StaffMembership.objects.for_studio(cast.studio).filter(role="owner").count() == 1


def test_removing_another_studios_membership_by_id_is_404(cast):
    theirs = StaffMembership.objects.for_studio(cast.other_studio).get()
    response = client_for(cast.owner).post(f"/app/kracht-utrecht/team/{theirs.pk}/remove/")
    assert response.status_code == 404
    assert StaffMembership.objects.for_studio(cast.other_studio).count() == 1


def test_owner_removes_a_coach(cast):
    coach_membership = StaffMembership.objects.for_studio(cast.studio).get(user=cast.coach)
    client_for(cast.owner).post(f"/app/kracht-utrecht/team/{coach_membership.pk}/remove/")
    assert not StaffMembership.objects.for_studio(cast.studio).filter(user=cast.coach).exists()
    assert client_for(cast.coach).get("/app/kracht-utrecht/").status_code == 404


def test_demo_data_loads_twice_without_duplicates():
    from vollegym.core.management.commands.demo import load_demo_data
    from vollegym.studios.models import Studio

    load_demo_data()
    load_demo_data()
    demo = Studio.objects.get(slug="demo")
    assert StaffMembership.objects.for_studio(demo).count() == 2
    assert User.objects.get(email="bureau@vollegym.nl").is_agency
    assert Studio.objects.filter(slug="volle-gym").exists()
