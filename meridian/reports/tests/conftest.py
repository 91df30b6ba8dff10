"""Reports read the same records as the search page: two "Kyoto" partners (one public), an "Aurora" partner
whose contact signs in, and agreements of two units; the fixtures are shared with the search tests."""

from meridian.search.tests.conftest import records, users  # noqa: F401
