from django.urls import path

from vollegym.analytics import growth_views, money_views, views

app_name = "analytics"

urlpatterns = [
    # Before the studio's overview: "bureau" is a reserved word, not a studio.
    path("bureau/", views.portfolio_page, name="portfolio"),
    path("<slug:studio>/", views.overview, name="overview"),
    path("<slug:studio>/cijfers/snelheid/", views.speed, name="speed"),
    path("<slug:studio>/cijfers/funnel/", views.funnel_page, name="funnel"),
    path("<slug:studio>/cijfers/leden/", money_views.members_money, name="members"),
    path("<slug:studio>/cijfers/advertenties/", money_views.ad_spend, name="adspend"),
    path("<slug:studio>/cijfers/groei/", growth_views.growth, name="growth"),
    path(
        "<slug:studio>/cijfers/advertenties/<int:spend_id>/verwijderen/",
        money_views.ad_spend_delete,
        name="adspend_delete",
    ),
]
