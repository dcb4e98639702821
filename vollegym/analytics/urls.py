from django.urls import path

from vollegym.analytics import views

app_name = "analytics"

urlpatterns = [
    path("<slug:studio>/", views.overview, name="overview"),
    path("<slug:studio>/cijfers/snelheid/", views.speed, name="speed"),
    path("<slug:studio>/cijfers/funnel/", views.funnel_page, name="funnel"),
]
