from django.urls import re_path

from vollegym.studios import public_views

app_name = "studio_public"

urlpatterns = [
    re_path(
        r"^s/(?P<studio>[-a-z0-9]+)/fotos/(?P<name>[0-9a-f]{16}\.jpg)$", public_views.photo, name="photo"
    ),
]
