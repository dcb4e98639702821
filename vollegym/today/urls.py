from django.urls import path

from vollegym.today import views

app_name = "today"
urlpatterns = [
    path("<slug:studio>/vandaag/", views.today, name="today"),
]
