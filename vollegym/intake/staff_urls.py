from django.urls import path

from vollegym.intake import consultation_views, staff_views

app_name = "intake_staff"

urlpatterns = [
    path("<slug:studio>/intake/", staff_views.overview, name="overview"),
    path("<slug:studio>/intake/kiezen/", staff_views.install, name="install"),
    path("<slug:studio>/intake/bewerken/", staff_views.edit, name="edit"),
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
