"""The churn-risk pages, under the retention app's namespace: the call list, logging an outreach, the report."""

from django.urls import path

from vollegym.retention import risk_views

urlpatterns = [
    path("<slug:studio>/risico/", risk_views.risk_list, name="risk"),
    path("<slug:studio>/risico/verslag/", risk_views.risk_report, name="risk_report"),
    path("<slug:studio>/risico/<int:member_id>/contact/", risk_views.outreach_add, name="risk_outreach"),
]
