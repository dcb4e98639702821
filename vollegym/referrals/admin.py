"""The agency's view of referrals in the Django admin."""

from django.contrib import admin

from vollegym.core.admin_base import AllStudiosAdmin
from vollegym.referrals.models import Referral, ReferralLink, ReferralSettings


@admin.register(ReferralLink)
class ReferralLinkAdmin(AllStudiosAdmin):
    list_display = ["code", "studio", "visits", "created_at"]
    list_filter = ["studio"]


@admin.register(Referral)
class ReferralAdmin(AllStudiosAdmin):
    list_display = ["studio", "created_at", "member_since", "reward_earned_at", "reward_given_at"]
    list_filter = ["studio"]


@admin.register(ReferralSettings)
class ReferralSettingsAdmin(AllStudiosAdmin):
    list_display = ["studio", "reward", "reward_text", "weeks_required"]
