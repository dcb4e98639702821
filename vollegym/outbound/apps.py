from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboundConfig(AppConfig):
    name = "vollegym.outbound"
    label = "outbound"
    verbose_name = _("Uitgaande webhooks")

    def ready(self) -> None:
        from vollegym.outbound import checks  # noqa: F401 - registers the private-targets deploy check
