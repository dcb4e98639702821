from django.urls import path

from vollegym.payments import book_views, missed_views, views

app_name = "payments"

urlpatterns = [
    path("<slug:studio>/betalingen/", views.overview, name="overview"),
    path("<slug:studio>/betalingen/instellingen/", views.settings_page, name="settings"),
    path("<slug:studio>/betalingen/plannen/<int:program_id>/", views.plan, name="plan"),
    path("<slug:studio>/betalingen/gemist/<int:missed_id>/", missed_views.decide, name="missed_decide"),
    path("<slug:studio>/betalingen/betaling/<int:payment_id>/", book_views.payment, name="payment"),
    path(
        "<slug:studio>/betalingen/betaling/<int:payment_id>/terugbetalen/", book_views.refund, name="refund"
    ),
    path("<slug:studio>/betalingen/lid/<int:member_id>/", book_views.member, name="member_payments"),
    path("<slug:studio>/betalingen/facturen/", book_views.invoices, name="invoices"),
    path("<slug:studio>/betalingen/facturen/<int:invoice_id>/", book_views.invoice_download, name="invoice"),
    path("<slug:studio>/betalingen/boekhouding/", book_views.bookkeeping, name="bookkeeping"),
]
