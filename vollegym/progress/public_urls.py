from django.urls import path

from vollegym.progress import views

app_name = "progress_public"

urlpatterns = [
    path("s/<slug:studio>/leden/voortgang/", views.member_progress, name="member"),
]
