from django.urls import path

from vollegym.people import public_views

app_name = "people_public"

urlpatterns = [
    path("privacy/", public_views.statement, name="site_statement"),
    path("s/<slug:studio>/privacy/", public_views.statement, name="statement"),
]
