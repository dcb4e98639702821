from django.urls import path

from vollegym.referrals import views

app_name = "referrals"

urlpatterns = [
    path("<slug:studio>/doorverwijzen/", views.report, name="report"),
    path("<slug:studio>/doorverwijzen/<int:referral_id>/gegeven/", views.give, name="give"),
]
