from django.urls import path

from vollegym.retention import risk_urls, views

app_name = "retention"

urlpatterns = [
    path("<slug:studio>/taken/", views.tasks, name="tasks"),
    path("<slug:studio>/taken/<int:step_id>/gedaan/", views.step_done, name="step_done"),
    path("<slug:studio>/taken/<int:step_id>/overslaan/", views.step_skip, name="step_skip"),
    path(
        "<slug:studio>/taken/activatie/<int:check_id>/opgepakt/",
        views.activation_seen,
        name="activation_seen",
    ),
    path("<slug:studio>/taken/cijfer/<int:rating_id>/gebeld/", views.rating_called, name="rating_called"),
    path("<slug:studio>/nps/", views.nps, name="nps"),
    path("<slug:studio>/programmas/<int:program_id>/playbook/", views.playbook, name="playbook"),
    path(
        "<slug:studio>/programmas/<int:program_id>/playbook/nieuw/",
        views.touchpoint_add,
        name="touchpoint_add",
    ),
    path(
        "<slug:studio>/programmas/<int:program_id>/playbook/<int:touchpoint_id>/",
        views.touchpoint_change,
        name="touchpoint_change",
    ),
    path(
        "<slug:studio>/programmas/<int:program_id>/playbook/<int:touchpoint_id>/verwijderen/",
        views.touchpoint_remove,
        name="touchpoint_remove",
    ),
    path(
        "<slug:studio>/programmas/<int:program_id>/playbook/<int:touchpoint_id>/verplaatsen/",
        views.touchpoint_move,
        name="touchpoint_move",
    ),
    # The follow-up of leads: the same editor on the studio's three sequences (geen-gesprek, niet-verschenen,
    # stil-geworden); its tasks are on the task list above.
    path("<slug:studio>/leads/opvolging/", views.sequences, name="sequences"),
    path("<slug:studio>/leads/opvolging/maanden/", views.sequence_quiet, name="sequence_quiet"),
    path("<slug:studio>/leads/opvolging/<slug:sequence>/", views.sequence, name="sequence"),
    path(
        "<slug:studio>/leads/opvolging/<slug:sequence>/nieuw/",
        views.sequence_touchpoint_add,
        name="sequence_touchpoint_add",
    ),
    path(
        "<slug:studio>/leads/opvolging/<slug:sequence>/<int:touchpoint_id>/",
        views.sequence_touchpoint_change,
        name="sequence_touchpoint_change",
    ),
    path(
        "<slug:studio>/leads/opvolging/<slug:sequence>/<int:touchpoint_id>/verwijderen/",
        views.sequence_touchpoint_remove,
        name="sequence_touchpoint_remove",
    ),
    path(
        "<slug:studio>/leads/opvolging/<slug:sequence>/<int:touchpoint_id>/verplaatsen/",
        views.sequence_touchpoint_move,
        name="sequence_touchpoint_move",
    ),
]

# Churn risk (risk_urls.py): the call list, its outreach log and report.
urlpatterns += risk_urls.urlpatterns
