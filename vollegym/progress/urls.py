from django.urls import path

from vollegym.progress import views

app_name = "progress"

urlpatterns = [
    path("<slug:studio>/leden/<int:member_id>/metingen/", views.member_page, name="member"),
    path("<slug:studio>/leden/<int:member_id>/metingen/toestemming/", views.consent, name="consent"),
    path("<slug:studio>/leden/<int:member_id>/metingen/doel/", views.target, name="target"),
    path("<slug:studio>/metingen/", views.kinds, name="kinds"),
    path("<slug:studio>/metingen/<int:kind_id>/naam/", views.kind_rename_view, name="kind_rename"),
    path("<slug:studio>/metingen/<int:kind_id>/archief/", views.kind_archive_view, name="kind_archive"),
]
