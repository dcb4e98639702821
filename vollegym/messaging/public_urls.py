from django.urls import path

from vollegym.messaging import preference_views

app_name = "messaging_public"

urlpatterns = [
    path("s/<slug:studio>/berichten/<str:token>/", preference_views.preferences, name="preferences"),
]
