from django.urls import path

from vollegym.retention import public_views

app_name = "retention_public"

urlpatterns = [
    path("s/<slug:studio>/beoordeling/<str:token>/", public_views.rating, name="rating"),
]
