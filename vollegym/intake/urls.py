from django.urls import path

from vollegym.intake import booking_views, views

app_name = "intake"

urlpatterns = [
    path("s/<slug:studio>/intake/", views.start, name="start"),
    path("s/<slug:studio>/intake/<str:token>/gesprek/", booking_views.book, name="book"),
    path("s/<slug:studio>/intake/<str:token>/<slug:step_key>/", views.step, name="step"),
    path("s/<slug:studio>/gesprek/<str:signed>/", booking_views.booking, name="booking"),
    path("s/<slug:studio>/gesprek/<str:signed>/agenda.ics", booking_views.booking_ics, name="booking_ics"),
    path("s/<slug:studio>/gesprek/<str:signed>/verzetten/", booking_views.reschedule, name="reschedule"),
    path("s/<slug:studio>/gesprek/<str:signed>/annuleren/", booking_views.cancel, name="cancel"),
    path("s/<slug:studio>/agenda/<str:token>.ics", booking_views.coach_feed, name="coach_feed"),
    path("intake/", views.start, name="agency_start"),
    path("intake/<str:token>/gesprek/", booking_views.book, name="agency_book"),
    path("intake/<str:token>/<slug:step_key>/", views.step, name="agency_step"),
]
