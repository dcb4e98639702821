from django.urls import path

from vollegym.intake import staff_views

app_name = "intake_staff"

urlpatterns = [
    path("<slug:studio>/intake/", staff_views.overview, name="overview"),
    path("<slug:studio>/intake/kiezen/", staff_views.install, name="install"),
    path("<slug:studio>/intake/bewerken/", staff_views.edit, name="edit"),
]
