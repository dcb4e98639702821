"""`{% member_invoices member as invoices %}`: the member's own invoices for their payments page, read through the
books' selector, so the page's view needs no change to show them."""

from __future__ import annotations

from django import template

from vollegym.payments.books import invoices_of_member
from vollegym.payments.models import Invoice
from vollegym.programs.models import Member

register = template.Library()


@register.simple_tag
def member_invoices(member: Member) -> list[Invoice]:
    return invoices_of_member(member)
