"""Money through Mollie: each studio's connection, a payment plan per program, the terms of each enrolment at its
locked price, the payments made for them at Mollie, and Mollie's webhook deliveries as a work queue."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned

# After this many failed payments in a row the owner decides, unless the studio set its own number (1 to the most).
DECIDE_AFTER_DEFAULT = 2
DECIDE_AFTER_MOST = 12


class MollieConnection(StudioOwned):
    """A studio's own Mollie account: its API key, encrypted with PAYMENTS_KEY, checked with one call when pasted."""

    class Mode(models.TextChoices):
        TEST = "test", _("Testmodus")
        LIVE = "live", _("Live")

    api_key_encrypted = models.TextField(_("API-sleutel (versleuteld)"))
    mode = models.CharField(_("modus"), max_length=8, choices=Mode.choices)
    # The last characters only, so the owner can tell which key is in use without it ever being shown again.
    key_hint = models.CharField(_("sleutel eindigt op"), max_length=8)
    checked_at = models.DateTimeField(_("gecontroleerd op"), default=clock.now)
    # Enrolments from this moment on get their terms from the sweep; earlier ones were settled outside Mollie.
    connected_at = models.DateTimeField(_("gekoppeld op"), default=clock.now)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("gekoppeld door"),
    )  # fmt: skip
    # After this many failed payments in a row the owner decides (pause, stop, paid outside Mollie, a new link).
    decide_after = models.PositiveSmallIntegerField(
        _("beslissen na zoveel mislukte betalingen op rij"), default=DECIDE_AFTER_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(DECIDE_AFTER_MOST)],
    )  # fmt: skip

    class Meta:
        verbose_name = _("Mollie-koppeling")
        verbose_name_plural = _("Mollie-koppelingen")
        constraints = [models.UniqueConstraint(fields=["studio"], name="mollieconnection_one_per_studio")]

    def __str__(self) -> str:
        return f"Mollie {self.mode} …{self.key_hint}"


class PaymentPlan(StudioOwned):
    """How a program's price is paid: at once, in terms, or once per period of a membership."""

    class Kind(models.TextChoices):
        IN_FULL = "in_full", _("In één keer")
        TERMS = "terms", _("In termijnen")
        PER_PERIOD = "per_period", _("Per periode (lidmaatschap)")

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="+", verbose_name=_("programma")
    )
    kind = models.CharField(_("betaalwijze"), max_length=16, choices=Kind.choices, default=Kind.IN_FULL)
    terms = models.PositiveSmallIntegerField(_("aantal termijnen"), default=1)
    every_weeks = models.PositiveSmallIntegerField(_("om de hoeveel weken"), default=4)
    created_at = models.DateTimeField(_("ingesteld op"), default=clock.now)

    class Meta:
        verbose_name = _("betaalplan")
        verbose_name_plural = _("betaalplannen")
        constraints = [
            models.CheckConstraint(condition=Q(terms__gte=1, terms__lte=24), name="paymentplan_terms"),
            models.CheckConstraint(
                condition=Q(every_weeks__gte=1, every_weeks__lte=52), name="paymentplan_every_weeks"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.program_id})"


class MollieCustomer(StudioOwned):
    """A member as a customer at the studio's Mollie, and the mandate their first payment gave (SEPA direct debit)."""

    member = models.OneToOneField(
        "programs.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("lid")
    )
    customer_id = models.CharField(_("klantnummer bij Mollie"), max_length=64)
    mandate_id = models.CharField(_("machtiging"), max_length=64, blank=True)
    mandate_at = models.DateTimeField(_("machtiging sinds"), null=True, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), default=clock.now)

    class Meta:
        verbose_name = _("klant bij Mollie")
        verbose_name_plural = _("klanten bij Mollie")

    def __str__(self) -> str:
        return self.customer_id


class Term(StudioOwned):
    """One amount an enrolment owes on a day; the terms of an enrolment add up to its locked price exactly."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Gepland")
        CHARGING = "charging", _("Wordt afgeschreven")
        OPEN = "open", _("Wacht op betaling")
        PAID = "paid", _("Betaald")
        FAILED = "failed", _("Niet gelukt")
        CHARGED_BACK = "charged_back", _("Teruggeboekt")

    enrolment = models.ForeignKey(
        "programs.Enrolment", on_delete=models.CASCADE, related_name="+", verbose_name=_("inschrijving")
    )
    member = models.ForeignKey(
        "programs.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("lid")
    )
    number = models.PositiveSmallIntegerField(_("termijn"))
    of = models.PositiveSmallIntegerField(_("van"))
    amount_cents = models.PositiveIntegerField(_("bedrag in centen"))
    due_on = models.DateField(_("vervalt op"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    # Paid before payments went through Mollie (staff marked the first payment received).
    paid_outside = models.BooleanField(_("buiten Mollie betaald"), default=False)
    paid_at = models.DateTimeField(_("betaald op"), null=True, blank=True)
    # A debit on the mandate is announced first; it is taken on `charge_on`, at least three working days later.
    announced_at = models.DateTimeField(_("aangekondigd op"), null=True, blank=True)
    charge_on = models.DateField(_("afschrijven op"), null=True, blank=True)
    # Counts each payment started for this term; with the term it makes the idempotency key, so a retry of the
    # same attempt (a lost answer, a second worker) can never become a second charge.
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    claimed_at = models.DateTimeField(_("opgepakt"), null=True, blank=True)
    # Mollie unreachable while debiting: tried again with backoff, with the same attempt (and key).
    retries = models.PositiveSmallIntegerField(_("herhalingen"), default=0)
    next_attempt_at = models.DateTimeField(_("volgende poging"), null=True, blank=True)
    last_error = models.TextField(_("laatste fout"), blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), default=clock.now)

    class Meta:
        verbose_name = _("termijn")
        verbose_name_plural = _("termijnen")
        ordering = ["due_on", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "number"], name="term_once_per_number"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=models.F("of")), name="term_number"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="term_due")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} termijn {self.number}/{self.of}"


class MolliePayment(StudioOwned):
    """A payment at the studio's Mollie for one term: a first payment by checkout, or a debit on the mandate."""

    class Sequence(models.TextChoices):
        FIRST = "first", _("Eerste betaling (iDEAL | Wero)")
        RECURRING = "recurring", _("Incasso op de machtiging")
        # A failed debit paid again at the checkout while the mandate stays as it is.
        ONEOFF = "oneoff", _("Losse betaling (iDEAL | Wero)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PENDING = "pending", _("In behandeling")
        AUTHORIZED = "authorized", _("Geautoriseerd")
        PAID = "paid", _("Betaald")
        FAILED = "failed", _("Mislukt")
        CANCELED = "canceled", _("Geannuleerd")
        EXPIRED = "expired", _("Verlopen")

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+", verbose_name=_("termijn"))
    mollie_id = models.CharField(_("betaling bij Mollie"), max_length=64)
    idempotency_key = models.CharField(_("sleutel tegen dubbel"), max_length=80)
    sequence_type = models.CharField(_("soort"), max_length=16, choices=Sequence.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    amount_cents = models.PositiveIntegerField(_("bedrag in centen"))
    charged_back_cents = models.PositiveIntegerField(_("teruggeboekt in centen"), default=0)
    refunded_cents = models.PositiveIntegerField(_("terugbetaald in centen"), default=0)
    checkout_url = models.CharField(_("betaalpagina"), max_length=500, blank=True)
    mandate_id = models.CharField(_("machtiging"), max_length=64, blank=True)
    paid_at = models.DateTimeField(_("betaald op"), null=True, blank=True)
    checked_at = models.DateTimeField(_("laatst opgehaald"), default=clock.now)
    created_at = models.DateTimeField(_("aangemaakt"), default=clock.now)

    class Meta:
        verbose_name = _("Mollie-betaling")
        verbose_name_plural = _("Mollie-betalingen")
        constraints = [
            models.UniqueConstraint(fields=["studio", "mollie_id"], name="molliepayment_once_per_id"),
            models.UniqueConstraint(fields=["idempotency_key"], name="molliepayment_once_per_key"),
        ]
        indexes = [models.Index(fields=["status", "checked_at"], name="molliepayment_open")]

    def __str__(self) -> str:
        return self.mollie_id


class MollieWebhook(StudioOwned):
    """A webhook call from Mollie (only `id=tr_…`, unsigned), stored before anything else; a worker fetches the
    payment from Mollie with the studio's own key. One pending delivery per payment: later calls fold into it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Wacht")
        PROCESSED = "processed", _("Verwerkt")
        IGNORED = "ignored", _("Niet van deze studio")
        FAILED = "failed", _("Mislukt")

    payment_id = models.CharField(_("betaling bij Mollie"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    calls = models.PositiveIntegerField(_("keer ontvangen"), default=1)
    attempts = models.PositiveIntegerField(_("pogingen"), default=0)
    next_attempt_at = models.DateTimeField(_("volgende poging"), default=clock.now)
    error = models.TextField(_("fout"), blank=True)
    received_at = models.DateTimeField(_("ontvangen"), default=clock.now)
    processed_at = models.DateTimeField(_("verwerkt"), null=True, blank=True)

    class Meta:
        verbose_name = _("Mollie-webhook")
        verbose_name_plural = _("Mollie-webhooks")
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "payment_id"],
                condition=Q(status="pending"),
                name="molliewebhook_one_pending",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="molliewebhook_due")]

    def __str__(self) -> str:
        return f"{self.payment_id} ({self.status})"


class MissedPayment(StudioOwned):
    """A term whose debit failed or was charged back: the member got one pay link for it, the coach a task, and
    once it failed often enough in a row the owner decides. One per term and reason, however often Mollie says so."""

    class Reason(models.TextChoices):
        FAILED = "failed", _("Incasso mislukt")
        CHARGED_BACK = "charged_back", _("Teruggeboekt door de bank")

    class Decision(models.TextChoices):
        NEW_LINK = "new_link", _("Nieuwe betaallink gestuurd")
        PAID_OUTSIDE = "paid_outside", _("Buiten Mollie betaald")
        PAUSED = "paused", _("Lidmaatschap gepauzeerd")
        STOPPED = "stopped", _("Lidmaatschap opgezegd")

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+", verbose_name=_("termijn"))
    member = models.ForeignKey(
        "programs.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("lid")
    )
    reason = models.CharField(_("reden"), max_length=16, choices=Reason.choices)
    # What Mollie (or our own debit) said: failed, expired, canceled, refused by Mollie, no mandate.
    detail = models.CharField(_("toelichting"), max_length=80, blank=True)
    payment_id = models.CharField(_("betaling bij Mollie"), max_length=64, blank=True)
    amount_cents = models.PositiveIntegerField(_("bedrag in centen"))
    opened_at = models.DateTimeField(_("gemist op"), default=clock.now)
    paid_at = models.DateTimeField(_("alsnog betaald op"), null=True, blank=True)
    decision = models.CharField(_("besluit"), max_length=16, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("besloten door"),
    )  # fmt: skip
    links_sent = models.PositiveSmallIntegerField(_("betaallinks gestuurd"), default=0)

    class Meta:
        verbose_name = _("gemiste betaling")
        verbose_name_plural = _("gemiste betalingen")
        constraints = [
            models.UniqueConstraint(fields=["term", "reason"], name="missedpayment_once_per_reason")
        ]
        indexes = [models.Index(fields=["studio", "paid_at", "decided_at"], name="missedpayment_open")]

    def __str__(self) -> str:
        return f"{self.term_id} {self.reason}"

    @property
    def is_open(self) -> bool:
        return self.paid_at is None and self.decided_at is None


class MandateSwitch(StudioOwned):
    """A member moving their debits to another IBAN: the next term paid now as a first payment gives the new
    mandate. When that checkout is not completed the term simply goes back to being debited as announced."""

    member = models.ForeignKey(
        "programs.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("lid")
    )
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+", verbose_name=_("termijn"))
    payment_id = models.CharField(_("betaling bij Mollie"), max_length=64)
    created_at = models.DateTimeField(_("aangemaakt"), default=clock.now)

    class Meta:
        verbose_name = _("nieuwe rekening")
        verbose_name_plural = _("nieuwe rekeningen")
        constraints = [models.UniqueConstraint(fields=["studio", "payment_id"], name="mandateswitch_once")]

    def __str__(self) -> str:
        return self.payment_id


# Refunds and invoices live in their own module; imported here so Django counts them among this app's models.
from vollegym.payments.invoice_models import (  # noqa: E402
    MAX_CENTS,
    Chargeback,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Refund,
)

__all__ = [
    "MAX_CENTS", "Chargeback", "Invoice", "InvoiceCounter", "InvoiceLine", "MandateSwitch", "MissedPayment",
    "MollieConnection", "MollieCustomer", "MolliePayment", "MollieWebhook", "PaymentPlan", "Refund", "Term",
]  # fmt: skip
