from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vollegym.core"
    label = "core"
    verbose_name = "Volle Gym core"

    def ready(self) -> None:
        from vollegym.core import checks  # noqa: F401 - registers the system checks
