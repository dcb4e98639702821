import pytest

from vollegym.core.testing import Cast, make_cast

pytest_plugins = ["vollegym.core.browser", "vollegym.core.mailserver"]


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


@pytest.fixture(autouse=True)
def _fresh_site_cache():
    """Each test sees the content folder (and the site's owner) as it is now, not as an earlier test loaded it."""
    from vollegym.studios.selectors import site_owner_memo
    from vollegym.website.site import site_cache
    from vollegym.website.views import html_cache

    site_cache.clear()
    html_cache.clear()
    site_owner_memo.forget()
    yield
    site_cache.clear()
    html_cache.clear()
    site_owner_memo.forget()


@pytest.fixture
def whatsapp(settings, cast: Cast):
    """The studio's WhatsApp number, connected to a local stand-in of Meta's Cloud API."""
    from vollegym.messaging.models import WhatsAppSettings
    from vollegym.messaging.tests.whatsapp_stub import start_whatsapp_stub

    stub, server = start_whatsapp_stub()
    settings.WHATSAPP_GRAPH_URL = stub.url
    WhatsAppSettings.objects.create(studio=cast.studio, phone_number_id="1098765", token=stub.token)
    yield stub
    server.shutdown()
