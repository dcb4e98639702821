from django.urls import path

from vollegym.payments import hooks

app_name = "payments_hooks"

urlpatterns = [
    path("mollie/<slug:studio>/", hooks.mollie, name="mollie"),
]
