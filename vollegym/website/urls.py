from django.urls import path

from vollegym.website import views

app_name = "website"

urlpatterns = [
    path("", views.home, name="home"),
    path("kennisbank/", views.kennisbank, name="kennisbank"),
    path("kennisbank/<slug:slug>/", views.post, name="post"),
    path("robots.txt", views.robots, name="robots"),
    # Last: every other single-segment path is a content page (or a 404).
    path("<slug:slug>/", views.page, name="page"),
]
