"""The back office's frame: login, the studio switcher, a studio's overview and its team."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vollegym.studios import selectors, services
from vollegym.studios.access import studio_view
from vollegym.studios.forms import LoginForm, StaffAddForm
from vollegym.studios.models import StaffMembership, User

OWNERS = frozenset({StaffMembership.Role.OWNER})
ROLE_LABELS = {**dict(StaffMembership.Role.choices), "agency": gettext_lazy("Bureau")}


class LoginView(auth_views.LoginView):
    template_name = "studios/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    if target := request.GET.get("naar"):
        return redirect("backoffice:dashboard", studio=target)
    studios = list(selectors.studios_for_user(request.user))
    if len(studios) == 1 and not request.user.is_agency:
        return redirect("backoffice:dashboard", studio=studios[0].slug)
    return render(request, "studios/home.html", {"studios": studios})


@studio_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    studio = request.studio  # type: ignore[attr-defined]
    return render(
        request,
        "studios/dashboard.html",
        {
            "studio": studio,
            "team": selectors.team_of(studio),
            "nav": "dashboard",
            "role_label": ROLE_LABELS.get(request.studio_role, request.studio_role),  # type: ignore[attr-defined]
        },
    )


@studio_view()
def team(request: HttpRequest) -> HttpResponse:
    studio = request.studio  # type: ignore[attr-defined]
    can_manage = request.studio_role in {"owner", "agency"}  # type: ignore[attr-defined]
    form = StaffAddForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            exists = User.objects.filter(email__iexact=data["email"]).exists()
            if not exists and not data["password"]:
                form.add_error("password", _("Een nieuw account heeft een wachtwoord nodig."))
            else:
                membership = services.staff_add(
                    studio=studio,
                    email=data["email"],
                    role=data["role"],
                    full_name=data["full_name"],
                    password=data["password"] or None,
                )
                messages.success(
                    request, _("%(name)s is toegevoegd aan het team.") % {"name": membership.user}
                )
                return redirect("backoffice:team", studio=studio.slug)
    team = list(selectors.team_of(studio))
    return render(
        request,
        "studios/team.html",
        {
            "studio": studio,
            "team": team,
            "owner_count": sum(m.role == StaffMembership.Role.OWNER for m in team),
            "form": form,
            "can_manage": can_manage,
            "nav": "team",
        },
    )


@studio_view(roles=OWNERS)  # outermost, so an outsider gets 404 before any 405
@require_POST
def team_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    studio = request.studio  # type: ignore[attr-defined]
    try:
        services.staff_remove(studio=studio, membership_id=membership_id)
    except StaffMembership.DoesNotExist:
        raise Http404 from None
    except services.LastOwnerError:
        messages.error(request, _("Een studio houdt minstens één eigenaar."))
    else:
        messages.success(request, _("Het teamlid is verwijderd."))
    return redirect("backoffice:team", studio=studio.slug)
