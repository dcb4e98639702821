from django.urls import path

from vollegym.people import views

app_name = "people"

urlpatterns = [
    path("<slug:studio>/personen/<int:person_id>/", views.person_detail, name="detail"),
    path("<slug:studio>/personen/<int:person_id>/export/", views.person_export_download, name="export"),
    path("<slug:studio>/personen/<int:person_id>/wissen/", views.person_erase_view, name="erase"),
    path("<slug:studio>/personen/<int:person_id>/samenvoegen/", views.person_merge_view, name="merge"),
    path("<slug:studio>/privacy/", views.privacy, name="privacy"),
    path("<slug:studio>/privacy/verzoeken/<int:request_id>/klaar/", views.request_done, name="request_done"),
]
