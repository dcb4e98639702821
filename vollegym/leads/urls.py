from django.urls import path

from vollegym.leads import import_views, views

app_name = "leads"

urlpatterns = [
    path("<slug:studio>/leads/", views.inbox, name="inbox"),
    path("<slug:studio>/leads/selectie/", views.bulk, name="bulk"),
    path("<slug:studio>/leads/export.csv", views.export, name="export"),
    path("<slug:studio>/leads/new/", views.new, name="new"),
    path("<slug:studio>/leads/import/", import_views.import_csv, name="import"),
    path("<slug:studio>/leads/pipeline/", views.pipeline, name="pipeline"),
    path("<slug:studio>/leads/settings/", views.lead_settings, name="settings"),
    path("<slug:studio>/leads/koppelingen/", views.integrations, name="integrations"),
    path("<slug:studio>/leads/events/", views.events, name="events"),
    path("<slug:studio>/leads/events/<int:event_id>/retry/", views.event_retry, name="event_retry"),
    path("<slug:studio>/leads/<int:lead_id>/", views.detail, name="detail"),
    path("<slug:studio>/leads/<int:lead_id>/contact/", views.log_contact, name="log_contact"),
    path("<slug:studio>/leads/<int:lead_id>/stage/", views.move, name="move"),
]
