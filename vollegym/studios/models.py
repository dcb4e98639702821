"""Studios (the tenants), the people who work in them, and their roles."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Gebruik kleine letters, cijfers en koppeltekens, zoals 'kracht-utrecht'."),
)
kvk_validator = RegexValidator(r"^\d{8}$", _("Een KvK-nummer heeft 8 cijfers, zoals 12345678."))
vat_validator = RegexValidator(r"^NL\d{9}B\d{2}$", _("Een Nederlands btw-id ziet eruit als NL123456789B01."))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, is_agency=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in to the back office: a studio's owner or coach, or the agency."""

    email = models.EmailField(_("e-mailadres"), unique=True)
    full_name = models.CharField(_("naam"), max_length=150, blank=True)
    phone = models.CharField(_("telefoon"), max_length=32, blank=True)
    is_active = models.BooleanField(_("actief"), default=True)
    is_staff = models.BooleanField(
        _("toegang tot Django-admin"), default=False, help_text=_("Mag inloggen op /admin/.")
    )
    is_agency = models.BooleanField(_("bureau"), default=False, help_text=_("Ziet en beheert alle studio's."))
    date_joined = models.DateTimeField(_("aangemaakt op"), default=clock.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]


class Studio(models.Model):
    """A tenant: one PT or small-group studio, or the agency's own site (slug `volle-gym`)."""

    class Kind(models.TextChoices):
        PT = "pt", _("Personal training")
        SMALL_GROUP = "small_group", _("Small group training")
        BOTH = "both", _("Personal training en small group")

    name = models.CharField(_("naam"), max_length=120)
    slug = models.SlugField(
        _("korte naam in de URL"), max_length=60, unique=True, validators=[slug_validator]
    )
    kind = models.CharField(_("soort studio"), max_length=16, choices=Kind.choices, default=Kind.BOTH)
    street = models.CharField(_("straat en huisnummer"), max_length=120, blank=True)
    postal_code = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("plaats"), max_length=80, blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoon"), max_length=32, blank=True)
    # In the footer of its public pages (the law asks a business to show them) and on its invoices.
    kvk_number = models.CharField(_("KvK-nummer"), max_length=8, blank=True, validators=[kvk_validator])
    vat_number = models.CharField(_("btw-id"), max_length=14, blank=True, validators=[vat_validator])
    # Shown to everyone who answers a rating, whatever their score (Google forbids asking only the happy ones).
    google_review_url = models.URLField(_("link naar je Google-reviews"), max_length=500, blank=True)
    timezone = models.CharField(_("tijdzone"), max_length=64, default="Europe/Amsterdam")
    require_2fa = models.BooleanField(
        _("tweestapsverificatie verplicht"),
        default=False,
        help_text=_("Iedereen in het team logt in met wachtwoord én een code van de telefoon."),
    )
    is_active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(_("aangemaakt op"), default=clock.now)

    class Meta:
        verbose_name = _("studio")
        verbose_name_plural = _("studio's")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        """The studio's time zone: times are stored in UTC and shown on its wall clock."""
        return ZoneInfo(self.timezone)

    @property
    def address(self) -> str:
        place = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.street, place) if part)


class StaffMembership(StudioOwned):
    """A user's role in one studio."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Eigenaar")
        COACH = "coach", _("Coach")

    user = models.ForeignKey(
        User, verbose_name=_("gebruiker"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rol"), max_length=16, choices=Role.choices, default=Role.COACH)
    created_at = models.DateTimeField(_("aangemaakt op"), default=clock.now)

    class Meta:
        verbose_name = _("teamlid")
        verbose_name_plural = _("teamleden")
        constraints = [
            models.UniqueConstraint(fields=["studio", "user"], name="staffmembership_one_role_per_studio"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class StaffInvite(StudioOwned):
    """A mailed link with which a new team member sets their own password: it works once, and not for long.

    Only a hash of the token is kept, so the table alone opens no account.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("aangemaakt op"), default=clock.now)
    expires_at = models.DateTimeField(_("verloopt op"))
    used_at = models.DateTimeField(_("gebruikt op"), null=True, blank=True)

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")

    def __str__(self) -> str:
        return f"{self.user} ({self.studio})"


def _photo_name(instance: StudioPhoto, filename: str) -> str:
    # Never the uploaded name: a fresh random one, so the address is unguessable and can be cached for good.
    return f"studios/{instance.studio_id}/{secrets.token_hex(8)}.jpg"


class StudioPhoto(StudioOwned):
    """A photo of the studio on its public pages; checked and re-encoded as JPEG when uploaded (studios.photos)."""

    image = models.FileField(_("foto"), upload_to=_photo_name, max_length=200)
    alt_text = models.CharField(
        _("wat er op de foto staat"),
        max_length=200,
        help_text=_("Voor wie de foto niet ziet, zoals 'Twee leden trainen met kettlebells in de zaal'."),
    )
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("aangemaakt op"), default=clock.now)

    class Meta:
        verbose_name = _("foto van de studio")
        verbose_name_plural = _("foto's van de studio")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt_text

    @property
    def file_name(self) -> str:
        return str(self.image.name).rsplit("/", 1)[-1]
