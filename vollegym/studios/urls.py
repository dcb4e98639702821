from django.contrib.auth import views as auth_views
from django.urls import path

from vollegym.studios import signin_views, views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", signin_views.LoginView.as_view(), name="login"),
    path("login/code/", signin_views.login_code, name="login_code"),
    path("login/wachtwoord-vergeten/", signin_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "login/wachtwoord-vergeten/verstuurd/",
        signin_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "login/nieuw-wachtwoord/<uidb64>/<token>/",
        signin_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "login/nieuw-wachtwoord/klaar/",
        signin_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("login/uitnodiging/<str:token>/", signin_views.invite_accept, name="invite_accept"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/tweestaps/", signin_views.two_factor, name="two_factor"),
    path("account/tweestaps/instellen/", signin_views.two_factor_setup, name="two_factor_setup"),
    path("account/tweestaps/reservecodes/", signin_views.two_factor_codes, name="two_factor_codes"),
    path("account/tweestaps/uitzetten/", signin_views.two_factor_off, name="two_factor_off"),
    path("bureau/studios/nieuw/", views.studio_new, name="studio_new"),
    path("bureau/studios/<slug:slug>/", views.studio_checklist_page, name="studio_checklist"),
    path("<slug:studio>/gegevens/", views.details, name="details"),
    path("<slug:studio>/gegevens/fotos/", views.photo_add, name="photo_add"),
    path("<slug:studio>/gegevens/fotos/<int:photo_id>/eerst/", views.photo_first, name="photo_first"),
    path("<slug:studio>/gegevens/fotos/<int:photo_id>/weg/", views.photo_remove, name="photo_remove"),
    path("<slug:studio>/team/", views.team, name="team"),
    path("<slug:studio>/team/tweestaps/", views.team_two_factor, name="team_two_factor"),
    path("<slug:studio>/team/<int:membership_id>/remove/", views.team_remove, name="team_remove"),
    path("<slug:studio>/team/<int:membership_id>/uitnodigen/", views.team_reinvite, name="team_reinvite"),
]
