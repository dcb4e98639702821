from django.urls import path

from vollegym.leads import hooks

app_name = "hooks"

urlpatterns = [
    path("leads/<slug:studio>/", hooks.generic, name="generic"),
]
