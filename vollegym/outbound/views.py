"""The owner's page for outbound webhooks: subscriptions, their secret (shown once), and each one's delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vollegym.outbound import selectors, services
from vollegym.outbound.forms import SubscriptionForm
from vollegym.outbound.models import Subscription
from vollegym.studios.access import studio_of, studio_view, user_of
from vollegym.studios.models import StaffMembership

OWNERS = frozenset({StaffMembership.Role.OWNER})


@never_cache  # a new subscription's secret is on this page once
@studio_view(roles=OWNERS)
def subscriptions(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    form = SubscriptionForm(request.POST or None)
    made: Subscription | None = None
    if request.method == "POST" and form.is_valid():
        made = services.subscription_create(
            studio=studio, url=form.cleaned_data["url"], kinds=form.cleaned_data["kinds"], by=user_of(request)
        )
        form = SubscriptionForm()
    return render(request, "outbound/subscriptions.html", {
        "studio": studio, "form": form, "made": made, "subscriptions": list(selectors.subscriptions_of(studio)),
    })  # fmt: skip


@never_cache  # a rotated secret is on this page once
@studio_view(roles=OWNERS)
def subscription(request: HttpRequest, subscription_id: int) -> HttpResponse:
    studio = studio_of(request)
    found = selectors.subscription_of(studio, subscription_id)
    if found is None:
        raise Http404
    new_secret = ""
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "pause":
        services.subscription_pause(subscription=found, reason=_("gepauzeerd door de eigenaar"))
        messages.success(request, _("Gepauzeerd: er gaat niets meer heen tot je hervat."))
        return redirect("outbound:subscription", studio=studio.slug, subscription_id=found.pk)
    if action == "resume":
        services.subscription_resume(subscription=found)
        messages.success(request, _("Hervat: wat bleef liggen gaat nu alsnog weg, in volgorde."))
        return redirect("outbound:subscription", studio=studio.slug, subscription_id=found.pk)
    if action == "delete":
        services.subscription_delete(subscription=found)
        messages.success(request, _("De webhook is verwijderd."))
        return redirect("outbound:subscriptions", studio=studio.slug)
    if action == "rotate":
        new_secret = services.subscription_rotate_secret(subscription=found).secret
    elif action is not None:
        return HttpResponse(_("Onbekende actie."), status=400)
    return render(request, "outbound/subscription.html", {
        "studio": studio, "subscription": found, "new_secret": new_secret,
        "deliveries": selectors.delivery_log(found),
    })  # fmt: skip


@studio_view(roles=OWNERS)
@require_POST
def delivery_replay(request: HttpRequest, subscription_id: int, delivery_id: int) -> HttpResponse:
    studio = studio_of(request)
    found = selectors.subscription_of(studio, subscription_id)
    delivery = selectors.delivery_of(found, delivery_id) if found is not None else None
    if found is None or delivery is None:
        raise Http404
    services.delivery_replay(delivery=delivery)
    messages.success(request, _("Gaat opnieuw weg, met hetzelfde afleverings-id."))
    return redirect("outbound:subscription", studio=studio.slug, subscription_id=found.pk)
