import pytest


@pytest.fixture(autouse=True)
def _private_targets_allowed(settings):
    """The test receivers listen on loopback; the SSRF tests turn this off again."""
    settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE = True
