from django.urls import path

from vollegym.programs import renewal_views, views

app_name = "programs"

urlpatterns = [
    path("<slug:studio>/programmas/", views.programs, name="programs"),
    path("<slug:studio>/programmas/<int:program_id>/", views.program, name="program"),
    path("<slug:studio>/programmas/<int:program_id>/prijs/", views.price_add, name="price_add"),
    path("<slug:studio>/programmas/regels/", renewal_views.rules, name="rules"),
    path("<slug:studio>/leden/", views.members, name="members"),
    path("<slug:studio>/leden/selectie/", views.members_bulk, name="members_bulk"),
    path("<slug:studio>/leden/export.csv", views.members_export, name="members_export"),
    path("<slug:studio>/leden/<int:member_id>/", views.member, name="member"),
    path("<slug:studio>/leden/<int:member_id>/opnieuw-inschrijven/", views.enrol_again, name="enrol_again"),
    path("<slug:studio>/leden/inschrijven/<int:lead_id>/", views.enrol, name="enrol"),
    path("<slug:studio>/leden/inschrijvingen/<int:enrolment_id>/betaald/", views.mark_paid, name="mark_paid"),
    path("<slug:studio>/leden/inschrijvingen/<int:enrolment_id>/verlengen/", views.renew, name="renew"),
    path("<slug:studio>/leden/verlenggesprekken/", renewal_views.talks, name="renewal_talks"),
    path("<slug:studio>/leden/verlenggesprekken/<int:talk_id>/", renewal_views.talk, name="renewal_talk"),
    path(
        "<slug:studio>/leden/verlenggesprekken/<int:talk_id>/afspreken/",
        renewal_views.talk_plan,
        name="renewal_talk_plan",
    ),
    path(
        "<slug:studio>/leden/verlenggesprekken/<int:talk_id>/uitkomst/",
        renewal_views.talk_record,
        name="renewal_talk_record",
    ),
]
