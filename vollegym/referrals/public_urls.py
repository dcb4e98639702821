from django.urls import path

from vollegym.referrals import views

app_name = "referrals_public"

urlpatterns = [
    path("s/<slug:studio>/r/<str:code>/", views.visit, name="visit"),
    path("s/<slug:studio>/leden/vrienden/", views.member_page, name="member"),
]
