"""A tag longer than its field is refused with a message wherever it is entered, never cut to fit."""

import pytest
from django.core.exceptions import ValidationError

from meridian.core.tabular.runner import run_import
from meridian.core.tabular.tests.helpers import as_file, csv_bytes
from meridian.partners import services
from meridian.partners.import_rows import PartnerImporter
from meridian.partners.models import Partner, Tag
from meridian.reference.tests.factories import country

LONG_TAG = "Joint laboratory for sustainable materials and energy research 2024"  # 67 characters


@pytest.mark.django_db
def test_the_service_refuses_a_tag_over_sixty_characters():
    germany = country("DE", "Germany", "德国")
    with pytest.raises(ValidationError) as refused:
        services.partner_create(actor=None, name="Universität Wien", country=germany, tags=[LONG_TAG])
    assert "tags" in refused.value.message_dict
    assert not Partner.objects.exists() and not Tag.objects.exists()


@pytest.mark.django_db
def test_an_import_reports_the_long_tag_and_stores_nothing():
    country("AT", "Austria", "奥地利")
    data = csv_bytes(["Name", "Country", "Tags"], [["Universität Wien", "AT", f"Erasmus+; {LONG_TAG}"]])
    report = run_import(importer=PartnerImporter, file=as_file(data), actor=None, commit=True)
    assert not report.committed
    assert [p.row for p in report.problems] == [2]
    assert "60" in report.problems[0].reason
    assert not Partner.objects.exists() and not Tag.objects.exists()
