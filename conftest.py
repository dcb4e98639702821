import pytest

from vollegym.core.testing import Cast, make_cast

pytest_plugins = ["vollegym.core.browser", "vollegym.core.mailserver"]


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


@pytest.fixture(autouse=True)
def _fresh_site_cache():
    """Each test sees the content folder as it is now, not as an earlier test loaded it."""
    from vollegym.website.site import site_cache
    from vollegym.website.views import html_cache

    site_cache.clear()
    html_cache.clear()
    yield
    site_cache.clear()
    html_cache.clear()
