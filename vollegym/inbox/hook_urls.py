from django.urls import path

from vollegym.inbox import hooks

app_name = "inbox_hooks"

urlpatterns = [path("whatsapp/", hooks.whatsapp, name="whatsapp")]
