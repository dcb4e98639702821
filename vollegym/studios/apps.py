from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudiosConfig(AppConfig):
    name = "vollegym.studios"
    label = "studios"
    verbose_name = _("Studio's en teams")
