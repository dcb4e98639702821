from django.apps import AppConfig


class TenancyAppConfig(AppConfig):
    name = "vollegym.core.tests.tenancy_app"
    label = "tenancy_app"
