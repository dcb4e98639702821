from django.urls import path

from vollegym.schedule import ending_views, pt_views, views

app_name = "agenda"

urlpatterns = [
    path("<slug:studio>/rooster/", views.week, name="week"),
    path("<slug:studio>/rooster/pt/", pt_views.pt_list, name="pt"),
    path("<slug:studio>/rooster/pt/<int:member_id>/", pt_views.pt_record, name="pt_record"),
    path("<slug:studio>/rooster/pt/training/<int:session_id>/terug/", pt_views.pt_undo, name="pt_undo"),
    path("<slug:studio>/rooster/les/<int:session_id>/", views.session, name="session"),
    path(
        "<slug:studio>/rooster/les/<int:session_id>/aanwezig/<int:booking_id>/",
        views.attendance,
        name="attendance",
    ),
    path("<slug:studio>/rooster/les/<int:session_id>/inschrijven/", views.session_add, name="session_add"),
    path(
        "<slug:studio>/rooster/les/<int:session_id>/afmelden/<int:booking_id>/",
        views.session_remove,
        name="session_remove",
    ),
    path(
        "<slug:studio>/rooster/les/<int:session_id>/laten-vervallen/",
        views.session_cancel,
        name="session_cancel",
    ),
    path("<slug:studio>/rooster/lessen/", views.classes, name="classes"),
    path("<slug:studio>/rooster/sluitingen/", views.closures, name="closures"),
    path("<slug:studio>/rooster/open-plekken/", views.open_spots, name="open_spots"),
    path("<slug:studio>/rooster/bezetting/", views.fill, name="fill"),
    path("<slug:studio>/rooster/bezetting/prijs/", views.price_apply, name="price_apply"),
    path("<slug:studio>/rooster/vaste-plek/<int:member_id>/", views.fixed_slot, name="fixed_slot"),
    path("<slug:studio>/leden/<int:member_id>/pauzeren/", ending_views.staff_pause, name="member_pause"),
    path("<slug:studio>/leden/<int:member_id>/opzeggen/", ending_views.staff_cancel, name="member_cancel"),
    path(
        "<slug:studio>/leden/pauzes/<int:pause_id>/intrekken/",
        ending_views.staff_pause_withdraw,
        name="pause_withdraw",
    ),
]
