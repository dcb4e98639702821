from django.urls import path

from vollegym.intake import views

app_name = "intake"

urlpatterns = [
    path("s/<slug:studio>/intake/", views.start, name="start"),
    path("s/<slug:studio>/intake/<str:token>/<slug:step_key>/", views.step, name="step"),
    path("intake/", views.start, name="agency_start"),
    path("intake/<str:token>/<slug:step_key>/", views.step, name="agency_step"),
]
