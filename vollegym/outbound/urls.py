from django.urls import path

from vollegym.outbound import views

app_name = "outbound"

urlpatterns = [
    path("<slug:studio>/instellingen/webhooks/", views.subscriptions, name="subscriptions"),
    path(
        "<slug:studio>/instellingen/webhooks/<int:subscription_id>/", views.subscription, name="subscription"
    ),
    path(
        "<slug:studio>/instellingen/webhooks/<int:subscription_id>/afleveringen/<int:delivery_id>/opnieuw/",
        views.delivery_replay,
        name="delivery_replay",
    ),
]
