from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "vollegym.payments"
    label = "payments"
    verbose_name = _("Betalingen")

    def ready(self) -> None:
        from vollegym.payments import checks  # noqa: F401 - registers the PAYMENTS_KEY deploy check
