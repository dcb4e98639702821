from django.urls import path

from vollegym.analytics import views

app_name = "analytics"

urlpatterns = [
    # Before the studio's overview: "bureau" is a reserved word, not a studio.
    path("bureau/", views.portfolio_page, name="portfolio"),
    path("<slug:studio>/", views.overview, name="overview"),
    path("<slug:studio>/cijfers/snelheid/", views.speed, name="speed"),
    path("<slug:studio>/cijfers/funnel/", views.funnel_page, name="funnel"),
]
