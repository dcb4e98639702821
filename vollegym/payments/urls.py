from django.urls import path

from vollegym.payments import missed_views, views

app_name = "payments"

urlpatterns = [
    path("<slug:studio>/betalingen/", views.overview, name="overview"),
    path("<slug:studio>/betalingen/instellingen/", views.settings_page, name="settings"),
    path("<slug:studio>/betalingen/plannen/<int:program_id>/", views.plan, name="plan"),
    path("<slug:studio>/betalingen/gemist/<int:missed_id>/", missed_views.decide, name="missed_decide"),
]
