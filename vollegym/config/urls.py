from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from vollegym.core import health
from vollegym.studios import signin_views
from vollegym.website.sitemaps import sitemaps

# Lazy, so the admin reads in the language the person chose (Dutch unless English), like the back office.
admin.site.site_header = _("Volle Gym beheer")
admin.site.site_title = _("Volle Gym beheer")
admin.site.index_title = _("Alle studio's en hun gegevens")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # The admin signs in through the back office's sign-in, which has the lockout and the code step.
    path("admin/login/", signin_views.admin_login),
    path("admin/", admin.site.urls),
    path("app/", include("vollegym.studios.urls")),
    path("app/", include("vollegym.leads.urls")),
    path("app/", include("vollegym.analytics.urls")),
    path("app/", include("vollegym.messaging.urls")),
    path("app/", include("vollegym.people.urls")),
    path("app/", include("vollegym.intake.staff_urls")),
    path("app/", include("vollegym.programs.urls")),
    path("app/", include("vollegym.payments.urls")),
    path("app/", include("vollegym.schedule.urls")),
    path("app/", include("vollegym.referrals.urls")),
    path("app/", include("vollegym.progress.urls")),
    path("app/", include("vollegym.retention.urls")),
    path("app/", include("vollegym.today.urls")),
    path("app/", include("vollegym.api.backoffice_urls")),
    path("app/", include("vollegym.outbound.urls")),
    path("hooks/", include("vollegym.leads.hook_urls")),
    path("hooks/", include("vollegym.payments.hook_urls")),
    path("api/v1/", include("vollegym.api.urls")),
    path("app/", include("vollegym.inbox.urls")),
    path("hooks/", include("vollegym.inbox.hook_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path(
        "favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "vollegym/favicon.svg", permanent=True)
    ),
]

if settings.VOLLEGYM_BENCH:
    from vollegym.website.bench import bare_page

    urlpatterns.append(path("__bench__/bare/", bare_page))

urlpatterns.append(path("", include("vollegym.intake.urls")))
urlpatterns.append(path("", include("vollegym.schedule.public_urls")))
urlpatterns.append(path("", include("vollegym.payments.public_urls")))
urlpatterns.append(path("", include("vollegym.referrals.public_urls")))
urlpatterns.append(path("", include("vollegym.progress.public_urls")))
urlpatterns.append(path("", include("vollegym.retention.public_urls")))
urlpatterns.append(path("", include("vollegym.messaging.public_urls")))
urlpatterns.append(path("", include("vollegym.people.public_urls")))
urlpatterns.append(path("", include("vollegym.studios.public_urls")))
urlpatterns.append(path("", include("vollegym.website.urls")))
