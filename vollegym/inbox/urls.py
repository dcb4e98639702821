from django.urls import path

from vollegym.inbox import views

app_name = "inbox"

urlpatterns = [
    path("<slug:studio>/berichten/", views.inbox, name="list"),
    path("<slug:studio>/berichten/<int:conversation_id>/", views.conversation, name="conversation"),
    path("<slug:studio>/berichten/<int:conversation_id>/antwoord/", views.reply, name="reply"),
    path("<slug:studio>/berichten/<int:conversation_id>/toewijzen/", views.assign, name="assign"),
    path("<slug:studio>/berichten/<int:conversation_id>/gelezen/", views.mark_read, name="read"),
    path("<slug:studio>/berichten/persoon/<int:person_id>/", views.for_person, name="for_person"),
    path("<slug:studio>/instellingen/whatsapp/", views.settings_page, name="settings"),
]
