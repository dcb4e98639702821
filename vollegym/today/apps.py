from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TodayConfig(AppConfig):
    name = "vollegym.today"
    label = "today"
    verbose_name = _("Vandaag")
