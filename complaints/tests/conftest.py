import pytest

from complaints.tests.factories import ensure_categories


@pytest.fixture(autouse=True)
def _categories(request):
    """Categories come from a data migration; put them back if another app's transactional test flushed them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    ensure_categories()
