from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    name = "vollegym.website"
    label = "website"
    verbose_name = "Website"
