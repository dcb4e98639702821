from vollegym.payments.tests.kit import mollie  # noqa: F401 - the stand-in fixture for every test here
