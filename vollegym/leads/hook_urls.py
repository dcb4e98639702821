from django.urls import path

from vollegym.leads import hooks

app_name = "hooks"

urlpatterns = [
    path("leads/<slug:studio>/", hooks.generic, name="generic"),
    path("meta/", hooks.meta, name="meta"),
    path("google/<slug:studio>/", hooks.google, name="google"),
]
