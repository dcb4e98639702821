from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vollegym.core"
    label = "core"
    verbose_name = "Volle Gym core"
