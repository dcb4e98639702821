from django.contrib import admin

from vollegym.core.admin_base import AllStudiosAdmin
from vollegym.messaging.models import Message, WhatsAppSettings


@admin.register(Message)
class MessageAdmin(AllStudiosAdmin):
    list_display = ["channel", "to", "purpose", "status", "attempts", "created_at", "sent_at", "studio"]
    list_filter = ["channel", "status", "purpose"]
    search_fields = ["to", "subject", "ref"]
    raw_id_fields = ["person", "to_user"]


@admin.register(WhatsAppSettings)
class WhatsAppSettingsAdmin(AllStudiosAdmin):
    list_display = ["studio", "phone_number_id", "ack_template", "is_active"]
