from django.urls import path

from vollegym.api import views

app_name = "apitokens"

urlpatterns = [
    path("bureau/api/", views.agency_tokens, name="agency_tokens"),
    path("bureau/api/<int:token_id>/intrekken/", views.agency_token_revoke, name="agency_token_revoke"),
    path("<slug:studio>/instellingen/api/", views.tokens, name="tokens"),
    path("<slug:studio>/instellingen/api/<int:token_id>/intrekken/", views.token_revoke, name="token_revoke"),
]
