"""Loading the place-name table renews the cached public pages (their city names may change)."""

import pytest

from meridian.portal.publiccache import data_stamp
from meridian.reference.places import places_load
from meridian.reference.tests.test_places import places_file

pytestmark = pytest.mark.django_db


def test_a_load_renews_the_public_pages(tmp_path, django_capture_on_commit_callbacks):
    before = data_stamp().token
    with django_capture_on_commit_callbacks(execute=True):
        places_load(path=places_file(tmp_path))
    assert data_stamp().token != before
