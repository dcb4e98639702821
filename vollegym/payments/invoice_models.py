"""The books of payments: refunds at Mollie and charge-backs by the bank, and the studio's invoices, credit notes and
corrections with their gapless numbers.

Imported at the end of `payments/models.py`, so Django sees these models as the payments app's (the app's models can
become a `models/` package once the other parts settle).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vollegym.core import clock
from vollegym.core.tenancy import StudioOwned

# € 100.000: more than any payment here; an amount past it (a typo, a hostile form) is refused before any sum.
MAX_CENTS = 10_000_000


class Refund(StudioOwned):
    """Money given back on a paid payment through Mollie: by the owner, because a member withdrew in time, or in
    Mollie's own dashboard (found by the reconcile).

    Written before Mollie is asked (status `requested`, with its idempotency key), so a refund Mollie made is never
    lost to a transaction that rolled back: the reconcile finds it in Mollie's list by the key's refund id. Together
    the refunds of a payment never pass what was paid minus what the bank charged back: the payment's row is locked
    while one is requested (see `refunds.refund_create`)."""

    class Status(models.TextChoices):
        # Ours: written, Mollie not yet (or not surely) asked.
        REQUESTED = "requested", _("Aangevraagd")
        # Mollie's own statuses of a refund.
        QUEUED = "queued", _("In de wachtrij (saldo te laag)")
        PENDING = "pending", _("Klaar voor verwerking")
        PROCESSING = "processing", _("Wordt verwerkt")
        REFUNDED = "refunded", _("Terugbetaald")
        FAILED = "failed", _("Mislukt")
        CANCELED = "canceled", _("Geannuleerd")

    class Reason(models.TextChoices):
        OWNER = "owner", _("Door de studio")
        WITHDRAWAL = "withdrawal", _("Herroeping binnen 14 dagen")
        MOLLIE = "mollie", _("In Mollie zelf")

    # The one rule of what a refund does, used everywhere: at Mollie, money goes (or went) back, so the books count
    # it (its credit note, the bookkeeper's CSV, collected revenue) ...
    GIVES_BACK: ClassVar[frozenset[str]] = frozenset(
        {Status.QUEUED, Status.PENDING, Status.PROCESSING, Status.REFUNDED}
    )
    # ... and what can no longer be refunded: that, and a request whose answer from Mollie we do not know yet.
    HOLDS: ClassVar[frozenset[str]] = GIVES_BACK | {Status.REQUESTED}
    # Nothing more happens to these (a refunded one may still fail at the bank; Mollie says so in its list).
    GAVE_NOTHING: ClassVar[frozenset[str]] = frozenset({Status.FAILED, Status.CANCELED})

    payment = models.ForeignKey(
        "payments.MolliePayment", on_delete=models.RESTRICT, related_name="+", verbose_name=_("betaling")
    )
    # Empty while only requested: Mollie's id comes with its answer (or from its list, if the answer was lost).
    mollie_id = models.CharField(_("terugbetaling bij Mollie"), max_length=64, blank=True)
    idempotency_key = models.CharField(_("sleutel tegen dubbel"), max_length=80, blank=True)
    # What Mollie made (its answer wins over what was asked).
    amount_cents = models.PositiveIntegerField(_("bedrag in centen"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("waarom"), max_length=16, choices=Reason.choices, default=Reason.OWNER)
    description = models.CharField(_("omschrijving"), max_length=140, blank=True)
    cancellation = models.ForeignKey(
        "programs.Cancellation", on_delete=models.RESTRICT, null=True, blank=True, related_name="+",
        verbose_name=_("opzegging"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("door"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("aangemaakt"), default=clock.now)
    checked_at = models.DateTimeField(_("laatst opgehaald"), default=clock.now)

    class Meta:
        verbose_name = _("terugbetaling")
        verbose_name_plural = _("terugbetalingen")
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "mollie_id"], condition=~Q(mollie_id=""), name="refund_once_per_id"
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"], condition=~Q(idempotency_key=""), name="refund_once_per_key"
            ),
            models.CheckConstraint(condition=Q(amount_cents__gte=1), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.mollie_id or f"({self.get_status_display()})"

    @property
    def counts(self) -> bool:
        """Whether the money goes (or went) back (see GIVES_BACK)."""
        return self.status in self.GIVES_BACK


class Chargeback(StudioOwned):
    """Money the member's bank took back from a paid payment (SEPA: up to eight weeks later, thirteen months when the
    debit was not authorised). Each rise of the payment's charged-back amount is one, with its own credit note."""

    payment = models.ForeignKey(
        "payments.MolliePayment", on_delete=models.RESTRICT, related_name="+", verbose_name=_("betaling")
    )
    amount_cents = models.PositiveIntegerField(_("bedrag in centen"))
    # The payment's charged-back amount with this one: the same news from Mollie twice is one charge-back.
    total_cents = models.PositiveIntegerField(_("teruggeboekt in totaal in centen"))
    received_at = models.DateTimeField(_("gezien op"), default=clock.now)

    class Meta:
        verbose_name = _("terugboeking")
        verbose_name_plural = _("terugboekingen")
        constraints = [
            models.UniqueConstraint(fields=["payment", "total_cents"], name="chargeback_once_per_step"),
            models.CheckConstraint(condition=Q(amount_cents__gte=1), name="chargeback_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.amount_cents}"


class InvoiceCounter(StudioOwned):
    """The last invoice number a studio gave out; taken with SELECT … FOR UPDATE in the transaction that writes the
    invoice, so a number is used exactly when its invoice commits: no gaps, no doubles."""

    last_number = models.PositiveIntegerField(_("laatste nummer"), default=0)

    class Meta:
        verbose_name = _("factuurteller")
        verbose_name_plural = _("factuurtellers")
        constraints = [models.UniqueConstraint(fields=["studio"], name="invoicecounter_one_per_studio")]

    def __str__(self) -> str:
        return str(self.last_number)


class Invoice(StudioOwned):
    """An invoice for a paid payment; a credit note (negative, own number in the same sequence) for a refund or a
    charge-back; a correction (positive) for a credit note whose refund failed after all.

    Never deleted nor changed once issued: a document that turns out wrong gets a correcting document of its own.
    Kept seven years (art. 52 AWR): the seller's and the buyer's details are copied in when it is issued, so changing
    the studio's address or erasing the person (AVG) leaves the invoice as it was sent."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Factuur")
        CREDIT_NOTE = "credit_note", _("Creditfactuur")
        CORRECTION = "correction", _("Correctiefactuur")

    number = models.PositiveIntegerField(_("factuurnummer"))
    kind = models.CharField(_("soort"), max_length=16, choices=Kind.choices, default=Kind.INVOICE)
    payment = models.ForeignKey(
        "payments.MolliePayment", on_delete=models.RESTRICT, related_name="+", verbose_name=_("betaling")
    )
    refund = models.OneToOneField(
        Refund,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("terugbetaling"),
    )
    chargeback = models.OneToOneField(
        Chargeback, on_delete=models.RESTRICT, null=True, blank=True, related_name="+",
        verbose_name=_("terugboeking"),
    )  # fmt: skip
    # A credit note names the invoice it credits; a correction the credit note it corrects.
    credits = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="+",
        verbose_name=_("verwijst naar"),
    )  # fmt: skip
    # The member, for their own page; their name below is the copy the law keeps, also after an erasure.
    member = models.ForeignKey(
        "programs.Member", on_delete=models.RESTRICT, related_name="+", verbose_name=_("lid")
    )
    issued_at = models.DateTimeField(_("factuurdatum"), default=clock.now)
    paid_at = models.DateTimeField(_("betaald op"), null=True, blank=True)
    seller_name = models.CharField(_("naam studio"), max_length=120)
    seller_address = models.CharField(_("adres studio"), max_length=250, blank=True)
    seller_kvk = models.CharField(_("KvK-nummer"), max_length=8, blank=True)
    seller_vat = models.CharField(_("btw-id"), max_length=14, blank=True)
    seller_email = models.CharField(_("e-mailadres studio"), max_length=254, blank=True)
    buyer_name = models.CharField(_("naam klant"), max_length=200, blank=True)
    total_cents = models.IntegerField(_("totaal incl. btw in centen"))
    vat_cents = models.IntegerField(_("btw in centen"))

    class Meta:
        verbose_name = _("factuur")
        verbose_name_plural = _("facturen")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "number"], name="invoice_number_once_per_studio"),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(kind="invoice"), name="invoice_once_per_payment"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="invoice_number_positive"),
            models.UniqueConstraint(
                fields=["credits"], condition=Q(kind="correction"), name="invoice_one_correction_per_note"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="invoice",
                        refund__isnull=True,
                        chargeback__isnull=True,
                        credits__isnull=True,
                        total_cents__gte=0,
                    )
                    # A credit note has one cause: a refund or a charge-back.
                    | Q(
                        kind="credit_note",
                        refund__isnull=False,
                        chargeback__isnull=True,
                        credits__isnull=False,
                        total_cents__lte=0,
                    )
                    | Q(
                        kind="credit_note",
                        refund__isnull=True,
                        chargeback__isnull=False,
                        credits__isnull=False,
                        total_cents__lte=0,
                    )
                    | Q(
                        kind="correction",
                        refund__isnull=True,
                        chargeback__isnull=True,
                        credits__isnull=False,
                        total_cents__gte=0,
                    )
                ),
                name="invoice_document_shape",
            ),
        ]
        indexes = [models.Index(fields=["studio", "issued_at"], name="invoice_issued")]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """The number as printed: the same sequence for invoices and credit notes, six digits."""
        return f"{self.number:06d}"

    @property
    def excl_cents(self) -> int:
        return self.total_cents - self.vat_cents


class InvoiceLine(StudioOwned):
    """One line of an invoice at one BTW rate; incl. = excl. + BTW to the cent (the BTW is worked out from incl.)."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="+", verbose_name=_("factuur")
    )
    description = models.CharField(_("omschrijving"), max_length=250)
    vat_rate = models.PositiveSmallIntegerField(_("btw-tarief (%)"))
    total_cents = models.IntegerField(_("incl. btw in centen"))
    vat_cents = models.IntegerField(_("btw in centen"))

    class Meta:
        verbose_name = _("factuurregel")
        verbose_name_plural = _("factuurregels")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(vat_rate__in=[0, 9, 21]), name="invoiceline_vat_rate")
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def excl_cents(self) -> int:
        return self.total_cents - self.vat_cents
