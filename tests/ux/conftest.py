"""The maintenance fixtures (an account with banked credits, a booking helper) serve the booking pages' tests here."""

from tests.maintenance.conftest import banked  # noqa: F401 (a fixture)
