"""Demo data of the studios app: the demo studio, the agency's own tenant and their logins."""

from __future__ import annotations

from vollegym.studios import services
from vollegym.studios.models import StaffMembership, Studio, User

DEMO_PASSWORD = "volle-gym-demo"  # noqa: S105 - printed by `vollegym demo`, a local demo only
OWNER_EMAIL = "eigenaar@demo.vollegym.nl"
COACH_EMAIL = "coach@demo.vollegym.nl"
AGENCY_EMAIL = "bureau@vollegym.nl"


def logins() -> list[tuple[str, str]]:
    return [
        (OWNER_EMAIL, "eigenaar van de demostudio"),
        (COACH_EMAIL, "coach in de demostudio"),
        (AGENCY_EMAIL, "bureau: alle studio's en /admin/"),
    ]


def load(*, years: int = 1) -> None:
    """Creates (or brings back) the demo studio, the agency tenant and their team; safe to run again. The `years`
    of history are the other apps' part."""
    demo = Studio.objects.filter(slug="demo").first() or services.studio_create(
        name="Studio Volle Kracht",
        slug="demo",
        kind=Studio.Kind.BOTH,
        street="Oudegracht 120",
        postal_code="3511 AX",
        city="Utrecht",
        email="hallo@vollekracht.example",
        phone="+31302345678",
    )
    agency = Studio.objects.filter(slug="volle-gym").first() or services.studio_create(
        name="Volle Gym", slug="volle-gym", kind=Studio.Kind.BOTH, city="Utrecht", email="intake@vollegym.nl"
    )
    # Registration numbers in the footers: made up, and plainly so (the format's own examples).
    Studio.objects.filter(pk=demo.pk, kvk_number="").update(
        kvk_number="12345678", vat_number="NL123456789B01"
    )
    Studio.objects.filter(pk=agency.pk, kvk_number="").update(
        street="Voorbeeldstraat 1", postal_code="3511 AA", phone="+31301234567", kvk_number="87654321",
        vat_number="NL987654321B01",
    )  # fmt: skip
    services.staff_add(
        studio=demo, email=OWNER_EMAIL, role=StaffMembership.Role.OWNER, full_name="Sanne de Vries",
        password=DEMO_PASSWORD,
    )  # fmt: skip
    services.staff_add(
        studio=demo, email=COACH_EMAIL, role=StaffMembership.Role.COACH, full_name="Youssef Amrani",
        password=DEMO_PASSWORD,
    )  # fmt: skip
    services.staff_add(
        studio=agency, email=AGENCY_EMAIL, role=StaffMembership.Role.OWNER, full_name="Bureau Volle Gym",
        password=DEMO_PASSWORD,
    )  # fmt: skip
    User.objects.filter(email=AGENCY_EMAIL).update(is_agency=True, is_staff=True, is_superuser=True)
