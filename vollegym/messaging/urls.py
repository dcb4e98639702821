from django.urls import path

from vollegym.messaging import views

app_name = "messaging"

urlpatterns = [
    path("<slug:studio>/meldingen/", views.notifications, name="notifications"),
    path("<slug:studio>/meldingen/gelezen/", views.notifications_read, name="notifications_read"),
]
