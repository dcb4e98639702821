from django.urls import path

from vollegym.payments import book_views, member_views

app_name = "payments_public"

urlpatterns = [
    path("s/<slug:studio>/leden/betalingen/", member_views.member_payments, name="member"),
    path(
        "s/<slug:studio>/leden/betalingen/<int:term_id>/betalen/", member_views.member_pay, name="member_pay"
    ),
    path(
        "s/<slug:studio>/leden/betalingen/andere-rekening/", member_views.member_switch, name="member_switch"
    ),
    path("s/<slug:studio>/betalen/<str:token>/", member_views.pay, name="pay"),
    path(
        "s/<slug:studio>/leden/betalingen/facturen/<int:invoice_id>/",
        book_views.member_invoice,
        name="member_invoice",
    ),
]
