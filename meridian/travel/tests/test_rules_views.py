"""Pages of the rule pack: the travel rules page (administrators), the standards pages and their CSV upload
(the office), and the rule-results partial."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from meridian.reference.tests.factories import country
from meridian.travel import rules
from meridian.travel.casework import evaluation_date
from meridian.travel.models import CountryStandard, ExchangeRate
from meridian.travel.tests.factories import germany, make_trip
from meridian.workflow.models import RuleSetVersion
from meridian.workflow.rulepack import ruleset_current

HEADER = "country,city,currency,accommodation,meals,incidentals,valid_from\n"


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("standards.csv", text.encode("utf-8"), content_type="text/csv")


def test_travel_rules_page_lists_every_rule_with_its_source_for_administrators(client, people):
    client.force_login(people.admin)
    page = client.get(reverse("travel:rules")).content.decode()
    for label in (
        "Delegation size",
        "Days per number of countries",
        "Budget within the standards",
        "Unit not suspended",
        "Publicity notice",
    ):
        assert label in page
    assert "xxgk.scut.edu.cn" in page and "Version 1" in page


def test_travel_rules_page_publishes_a_new_version(client, people):
    client.force_login(people.admin)
    url = reverse("travel:rules")
    client.get(url)
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.widget.input_type == "checkbox":
            if value:
                data[name] = "on"
        elif value not in (None, ""):
            data[name] = value
    data["delegation_size__p__max_people"] = "5"
    data["note"] = "Provincial notice 2027-3"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert rules.parameter("delegation_size", "max_people") == 5
    assert rules.parameter("lead_time", "schengen_codes") == rules.SCHENGEN
    assert ruleset_current("travel").number == 2


@pytest.mark.parametrize("who", ["officer", "coordinator", "staff", "leadership", "student", "outsider"])
def test_travel_rules_page_refuses_everyone_else(client, people, who):
    client.force_login(getattr(people, who))
    assert client.get(reverse("travel:rules")).status_code == 403
    assert client.post(reverse("travel:rules"), {"note": "x"}).status_code == 403
    assert not RuleSetVersion.objects.filter(context="travel", number__gt=1).exists()


@pytest.mark.parametrize(
    "who,status",
    [
        ("admin", 200),
        ("officer", 200),
        ("coordinator", 403),
        ("staff", 403),
        ("leadership", 403),
        ("outsider", 403),
    ],
)
def test_standards_page_is_for_the_office(client, people, who, status):
    client.force_login(getattr(people, who))
    assert client.get(reverse("travel:standards")).status_code == status


def test_the_standards_tables_scroll_in_their_own_wrappers(client, people):
    """On a phone the wide standards table scrolls sideways by itself, not the whole page."""
    from meridian.travel.tests.test_extensions import unwrapped_tables

    CountryStandard.objects.create(
        country=germany(),
        city="Berlin",
        currency="EUR",
        accommodation=Decimal("200"),
        meals=Decimal("60"),
        incidentals=Decimal("20"),
        valid_from=datetime.date(2026, 1, 1),
    )
    client.force_login(people.officer)
    page = client.get(reverse("travel:standards")).content.decode()
    assert page.count("<table") == 2 and "Berlin" in page
    assert unwrapped_tables(page) == []


def test_upload_stores_every_row(client, people):
    germany()
    country("FR", "France", "法国")
    client.force_login(people.officer)
    text = HEADER + "DE,,EUR,100,50,20,2026-01-01\nFR,Paris,EUR,180,60,25,2026-01-01\n"
    response = client.post(reverse("travel:standards_upload"), {"file": _csv(text)})
    assert response.status_code == 302
    assert CountryStandard.objects.count() == 2
    paris = CountryStandard.objects.get(city="Paris")
    assert paris.accommodation == Decimal("180.00") and paris.valid_from == datetime.date(2026, 1, 1)
    # The same country, city and date again replaces the row.
    client.post(
        reverse("travel:standards_upload"), {"file": _csv(HEADER + "FR,Paris,EUR,190,60,25,2026-01-01\n")}
    )
    assert CountryStandard.objects.get(city="Paris").accommodation == Decimal("190.00")


def test_upload_with_a_wrong_row_stores_nothing_and_names_each_row(client, people):
    germany()
    client.force_login(people.officer)
    text = (
        HEADER
        + "DE,,EUR,100,50,20,2026-01-01\nXX,,EUR,100,50,20,2026-01-01\nDE,Berlin,EURO,abc,50,20,1.1.26x\n"
    )
    response = client.post(reverse("travel:standards_upload"), {"file": _csv(text)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was stored" in page
    assert "Row 3: country “XX” is not a known ISO code." in page
    assert "Row 4: currency “EURO” is not a three-letter code;" in page
    assert "accommodation: “abc” is not a number" in page
    assert CountryStandard.objects.count() == 0


def test_upload_refuses_missing_columns_and_non_spreadsheets(client, people):
    client.force_login(people.officer)
    response = client.post(reverse("travel:standards_upload"), {"file": _csv("country,city\nDE,\n")})
    assert response.status_code == 400
    assert "The file lacks the columns: currency, accommodation" in response.content.decode()
    pdf = SimpleUploadedFile("x.csv", b"%PDF-1.4 nonsense", content_type="text/csv")
    response = client.post(reverse("travel:standards_upload"), {"file": pdf})
    assert response.status_code == 400 and CountryStandard.objects.count() == 0


def test_upload_is_refused_to_coordinators(client, people):
    germany()
    client.force_login(people.coordinator)
    response = client.post(
        reverse("travel:standards_upload"), {"file": _csv(HEADER + "DE,,EUR,1,1,1,2026-01-01\n")}
    )
    assert response.status_code == 403 and CountryStandard.objects.count() == 0


def test_office_adds_and_changes_standards_and_rates(client, people):
    de = germany()
    client.force_login(people.officer)
    response = client.post(
        reverse("travel:standard_create"),
        {
            "country": de.pk,
            "city": "",
            "currency": "eur",
            "accommodation": "100",
            "meals": "50",
            "incidentals": "20",
            "valid_from": "2026-01-01",
            "source": "财行〔2013〕516号",
        },
    )
    assert response.status_code == 302
    standard = CountryStandard.objects.get()
    assert standard.currency == "EUR"
    response = client.post(
        reverse("travel:standard_create"),
        {
            "country": de.pk,
            "city": "",
            "currency": "EUR",
            "accommodation": "-5",
            "meals": "50",
            "incidentals": "20",
            "valid_from": "2026-02-01",
        },
    )
    assert response.status_code == 200 and "Amounts cannot be negative." in response.content.decode()
    response = client.post(
        reverse("travel:rate_create"), {"currency": "eur", "cny_per_unit": "7.8", "valid_from": "2026-01-01"}
    )
    assert response.status_code == 302 and ExchangeRate.objects.get().currency == "EUR"
    client.post(reverse("travel:standard_delete", args=[standard.pk]))
    assert not CountryStandard.objects.exists()


def test_rule_results_partial_shows_outcome_message_source_and_justification(org, people):
    trip = make_trip(
        unit=org.engineering,
        applicant=people.staff,
        delegation_kind="administrative",
        members=6,
        justifications={"annual_plan": "Signing the renewed agreement."},
    )
    with evaluation_date(datetime.date(2026, 12, 1)):
        rules.trip_check(trip=trip, save=True)
    trip.refresh_from_db()
    html = render_to_string("travel/_rule_results.html", {"rule_results": trip.rule_results, "trip": trip})
    assert "The delegation has 7 people including the interpreter" in html
    assert 'href="https://xxgk.scut.edu.cn/2020/0325/c117a2464/page.htm"' in html
    assert "Signing the renewed agreement." in html
    assert "Rule set version 1" in html
    assert 'data-outcome="fail" data-severity="block"' in html
    with translation.override("zh-hans"):
        html_zh = render_to_string(
            "travel/_rule_results.html", {"rule_results": trip.rule_results, "trip": trip}
        )
    assert html_zh.count('<li id="rule-') == html.count('<li id="rule-')


def test_rule_results_partial_escapes_text(org, people):
    results = [
        {
            "code": "x",
            "label": "<b>x</b>",
            "severity": "block",
            "outcome": "fail",
            "blocking": True,
            "message": "<script>alert(1)</script>",
            "source": {"document": "d", "article": "", "url": ""},
            "justification": "",
        }
    ]
    html = render_to_string("travel/_rule_results.html", {"rule_results": results})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "1 rule stops the trip now." in html
