from django.contrib.auth import views as auth_views
from django.urls import path

from vollegym.studios import views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("<slug:studio>/", views.dashboard, name="dashboard"),
    path("<slug:studio>/team/", views.team, name="team"),
    path("<slug:studio>/team/<int:membership_id>/remove/", views.team_remove, name="team_remove"),
]
