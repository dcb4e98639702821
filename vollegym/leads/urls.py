from django.urls import path

from vollegym.leads import views

app_name = "leads"

urlpatterns = [
    path("<slug:studio>/leads/", views.inbox, name="inbox"),
    path("<slug:studio>/leads/<int:lead_id>/", views.detail, name="detail"),
    path("<slug:studio>/leads/<int:lead_id>/contact/", views.log_contact, name="log_contact"),
    path("<slug:studio>/leads/<int:lead_id>/stage/", views.move, name="move"),
]
