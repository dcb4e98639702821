from django.urls import path

from vollegym.intake import consultation_views, editor_views, staff_views

app_name = "intake_staff"

urlpatterns = [
    path("<slug:studio>/intake/", staff_views.overview, name="overview"),
    path("<slug:studio>/intake/kiezen/", staff_views.install, name="install"),
    path("<slug:studio>/intake/bewerken/", staff_views.edit, name="edit"),
    path("<slug:studio>/intake/vragen/", editor_views.questions, name="questions"),
    path(
        "<slug:studio>/intake/<int:questionnaire_id>/stap/<slug:step_key>/vraag-toevoegen/",
        editor_views.question_new,
        name="question_new",
    ),
    path(
        "<slug:studio>/intake/<int:questionnaire_id>/vraag/<slug:key>/verwijderen/",
        editor_views.question_delete,
        name="question_delete",
    ),
    path(
        "<slug:studio>/intake/<int:questionnaire_id>/vraag/<slug:key>/verplaatsen/",
        editor_views.question_shift,
        name="question_shift",
    ),
    path(
        "<slug:studio>/intake/<int:questionnaire_id>/vraag/<slug:key>/antwoord-toevoegen/",
        editor_views.option_new,
        name="option_new",
    ),
    path(
        "<slug:studio>/intake/<int:questionnaire_id>/vraag/<slug:key>/antwoord/<str:value>/verwijderen/",
        editor_views.option_delete,
        name="option_delete",
    ),
    path(
        "<slug:studio>/intake/<int:questionnaire_id>/vraag/<slug:key>/antwoord/<str:value>/verplaatsen/",
        editor_views.option_shift,
        name="option_shift",
    ),
    path("<slug:studio>/intake/voorbeeld/", editor_views.preview, name="preview"),
    path("<slug:studio>/intake/voorbeeld/<slug:step_key>/", editor_views.preview, name="preview_step"),
    path("<slug:studio>/gesprekken/", consultation_views.consultations, name="consultations"),
    path("<slug:studio>/gesprekken/beschikbaarheid/", consultation_views.availability, name="availability"),
    path(
        "<slug:studio>/gesprekken/beschikbaarheid/uitzondering/",
        consultation_views.exception_add,
        name="exception_add",
    ),
    path(
        "<slug:studio>/gesprekken/beschikbaarheid/uitzondering/<int:exception_id>/verwijderen/",
        consultation_views.exception_remove,
        name="exception_remove",
    ),
    path("<slug:studio>/gesprekken/soorten/", consultation_views.kinds, name="kinds"),
    path("<slug:studio>/gesprekken/agenda/vernieuwen/", consultation_views.feed_renew, name="feed_renew"),
    path("<slug:studio>/gesprekken/<int:booking_id>/vastleggen/", consultation_views.record, name="record"),
    path(
        "<slug:studio>/gesprekken/<int:booking_id>/annuleren/", consultation_views.staff_cancel, name="cancel"
    ),
    path(
        "<slug:studio>/gesprekken/<int:booking_id>/verzetten/",
        consultation_views.staff_reschedule,
        name="reschedule",
    ),
    path("<slug:studio>/leads/<int:lead_id>/gesprek/", consultation_views.staff_book, name="book"),
]
