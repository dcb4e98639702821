from django.urls import path

from vollegym.schedule import ending_views, member_views

app_name = "schedule"

urlpatterns = [
    path("s/<slug:studio>/leden/", member_views.member_login, name="member_login"),
    path("s/<slug:studio>/leden/in/<str:token>/", member_views.member_enter, name="member_enter"),
    path("s/<slug:studio>/leden/rooster/", member_views.member_home, name="member_home"),
    path("s/<slug:studio>/leden/uitloggen/", member_views.member_logout, name="member_logout"),
    path(
        "s/<slug:studio>/leden/rooster/<int:session_id>/<slug:action>/",
        member_views.member_action,
        name="member_action",
    ),
    path("s/<slug:studio>/leden/lidmaatschap/", ending_views.membership, name="member_membership"),
    path("s/<slug:studio>/leden/lidmaatschap/pauze/", ending_views.pause, name="member_pause"),
    path(
        "s/<slug:studio>/leden/lidmaatschap/pauze/<int:pause_id>/intrekken/",
        ending_views.pause_withdraw,
        name="member_pause_withdraw",
    ),
    path("s/<slug:studio>/leden/lidmaatschap/opzeggen/", ending_views.cancel, name="member_cancel"),
]
