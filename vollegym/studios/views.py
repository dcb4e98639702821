"""The back office's frame: the studio switcher, a studio's overview, its details and photos, and its team."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vollegym.studios import photos, selectors, services
from vollegym.studios.access import agency_view, role_of, studio_of, studio_view, user_of
from vollegym.studios.creation import StudioSetupError, studio_checklist, studio_create_from_template
from vollegym.studios.forms import (
    NewStudioForm,
    StaffInviteForm,
    StudioDetailsForm,
    StudioPhotoForm,
    TeamTwoFactorForm,
)
from vollegym.studios.models import StaffMembership, Studio, StudioPhoto, User

OWNERS = frozenset({StaffMembership.Role.OWNER})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    if target := request.GET.get("naar"):
        return redirect("analytics:overview", studio=target)
    studios = list(selectors.studios_for_user(request.user))
    if len(studios) == 1 and not request.user.is_agency:
        return redirect("analytics:overview", studio=studios[0].slug)
    return render(request, "studios/home.html", {"studios": studios})


@studio_view()
def team(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    can_manage = role_of(request) in {"owner", "agency"}
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            membership = services.staff_invite(
                studio=studio,
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                invited_by=user_of(request),
            )
            if membership.user.has_usable_password():
                text = _("%(name)s is toegevoegd aan het team en heeft een mail gekregen.")
            else:
                text = _(
                    "%(name)s is uitgenodigd: in de mail staat een link om zelf een wachtwoord te kiezen."
                )
            messages.success(request, text % {"name": membership.user})
            return redirect("backoffice:team", studio=studio.slug)
    team = list(selectors.team_of(studio))
    return render(
        request,
        "studios/team.html",
        {
            "studio": studio,
            "team": team,
            "two_factor_ids": selectors.two_factor_users([m.user for m in team]),
            "owner_count": sum(m.role == StaffMembership.Role.OWNER for m in team),
            "form": form,
            "two_factor_form": TeamTwoFactorForm(initial={"required": studio.require_2fa}),
            "can_manage": can_manage,
            "nav": "dashboard",
        },
    )


@studio_view(roles=OWNERS)  # outermost, so an outsider gets 404 before any 405
@require_POST
def team_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    studio = studio_of(request)
    try:
        services.staff_remove(studio=studio, membership_id=membership_id)
    except StaffMembership.DoesNotExist:
        raise Http404 from None
    except services.LastOwnerError:
        messages.error(request, _("Een studio houdt minstens één eigenaar."))
    else:
        messages.success(request, _("Het teamlid is verwijderd."))
    return redirect("backoffice:team", studio=studio.slug)


@studio_view(roles=OWNERS)
@require_POST
def team_reinvite(request: HttpRequest, membership_id: int) -> HttpResponse:
    studio = studio_of(request)
    try:
        membership = services.invite_resend(
            studio=studio, membership_id=membership_id, invited_by=user_of(request)
        )
    except StaffMembership.DoesNotExist:
        raise Http404 from None
    except services.InviteInvalidError:
        messages.error(request, _("Dit teamlid heeft al een wachtwoord; een uitnodiging is niet nodig."))
    else:
        messages.success(
            request, _("%(name)s heeft een nieuwe uitnodiging gekregen.") % {"name": membership.user}
        )
    return redirect("backoffice:team", studio=studio.slug)


@studio_view(roles=OWNERS)
@require_POST
def team_two_factor(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    form = TeamTwoFactorForm(request.POST)
    form.is_valid()  # a checkbox: absent is False, and nothing else can be wrong
    services.studio_two_factor_set(studio=studio, required=form.cleaned_data["required"])
    if studio.require_2fa:
        messages.success(
            request,
            _(
                "Tweestapsverificatie is nu verplicht. Wie het nog niet heeft, stelt het in bij de volgende klik."
            ),
        )
    else:
        messages.success(request, _("Tweestapsverificatie is niet meer verplicht voor dit team."))
    return redirect("backoffice:team", studio=studio.slug)


@studio_view(roles=OWNERS)
def details(request: HttpRequest) -> HttpResponse:
    """The studio's name, contact details, KvK number and btw-id, and its photos: what its public pages show."""
    studio = studio_of(request)
    form = StudioDetailsForm.of(studio, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.studio_details_update(studio=studio, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("De gegevens van de studio zijn opgeslagen."))
            return redirect("backoffice:details", studio=studio.slug)
        studio.refresh_from_db()
    return _details_page(request, form, StudioPhotoForm())


def _details_page(request: HttpRequest, form: StudioDetailsForm, photo_form: StudioPhotoForm) -> HttpResponse:
    studio = studio_of(request)
    return render(
        request,
        "studios/details.html",
        {
            "studio": studio,
            "form": form,
            "photo_form": photo_form,
            "photos": list(selectors.studio_photos(studio)),
            "max_photos": photos.MAX_PHOTOS,
            "nav": "dashboard",
        },
    )


@studio_view(roles=OWNERS)
@require_POST
def photo_add(request: HttpRequest) -> HttpResponse:
    studio = studio_of(request)
    form = StudioPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["image"]
        try:
            photos.studio_photo_add(
                studio=studio, upload=upload, size=upload.size, alt_text=form.cleaned_data["alt_text"]
            )
        except photos.PhotoError as exc:
            form.add_error("image", exc.reason)
        else:
            messages.success(request, _("De foto staat op de pagina's van de studio."))
            return redirect("backoffice:details", studio=studio.slug)
    return _details_page(request, StudioDetailsForm.of(studio), form)


def _photo(request: HttpRequest, photo_id: int) -> StudioPhoto:
    photo = selectors.studio_photos(studio_of(request)).filter(pk=photo_id).first()
    if photo is None:
        raise Http404("No such photo")
    return photo


@studio_view(roles=OWNERS)
@require_POST
def photo_first(request: HttpRequest, photo_id: int) -> HttpResponse:
    photos.studio_photo_first(photo=_photo(request, photo_id))
    return redirect("backoffice:details", studio=studio_of(request).slug)


@studio_view(roles=OWNERS)
@require_POST
def photo_remove(request: HttpRequest, photo_id: int) -> HttpResponse:
    photos.studio_photo_remove(photo=_photo(request, photo_id))
    messages.success(request, _("De foto is weggehaald."))
    return redirect("backoffice:details", studio=studio_of(request).slug)


@agency_view
def studio_new(request: HttpRequest) -> HttpResponse:
    """The agency makes a new studio from a template studio; then the checklist of what it still misses."""
    form = NewStudioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            studio = studio_create_from_template(
                name=data["name"], slug=data["slug"], kind=data["kind"], city=data["city"],
                owner_name=data["owner_name"], owner_email=data["owner_email"], template=data["template"],
                by=user_of(request),
            )  # fmt: skip
        except StudioSetupError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(
                request,
                _("%(studio)s staat klaar en %(owner)s heeft een uitnodiging gekregen.")
                % {"studio": studio.name, "owner": data["owner_email"]},
            )
            return redirect("backoffice:studio_checklist", slug=studio.slug)
    return render(request, "studios/studio_new.html", {"form": form})


@agency_view
def studio_checklist_page(request: HttpRequest, slug: str) -> HttpResponse:
    studio = Studio.objects.filter(slug=slug).first()
    if studio is None:
        raise Http404("No such studio")
    return render(
        request,
        "studios/studio_checklist.html",
        {"checklist": studio_checklist(studio), "studio_shown": studio},
    )
