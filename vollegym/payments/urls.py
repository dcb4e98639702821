from django.urls import path

from vollegym.payments import views

app_name = "payments"

urlpatterns = [
    path("<slug:studio>/betalingen/", views.overview, name="overview"),
    path("<slug:studio>/betalingen/instellingen/", views.settings_page, name="settings"),
    path("<slug:studio>/betalingen/plannen/<int:program_id>/", views.plan, name="plan"),
]
