import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meridian.agreements import services
from meridian.agreements.models import Agreement
from meridian.agreements.tests.conftest import pdf_bytes, png_bytes
from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.tests.factories import PartnerFactory

TODAY = timezone.localdate()


def _bulk(org, germany, japan, n: int) -> None:
    for i in range(n):
        partners = [PartnerFactory(country=germany), PartnerFactory(country=japan)]
        AgreementFactory(
            responsible_unit=org.computing,
            partners=partners,
            channels=["research", "cultural"],
            state="active",
            end_date=TODAY + datetime.timedelta(days=30 + i),
        )


@pytest.mark.parametrize("url_name", ["agreements:list", "agreements:export"])
def test_list_and_export_query_count_does_not_grow(client, people, org, germany, japan, url_name):
    client.force_login(people.coordinator)
    url = reverse(url_name)
    _bulk(org, germany, japan, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _bulk(org, germany, japan, 27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few), (len(few), len(many))


def test_list_shows_filters_badges_and_export_links(client, people, make_agreement, other_partner):
    soon = make_agreement(
        state="active", end_date=TODAY + datetime.timedelta(days=20), title_en="Soon ending"
    )
    later = make_agreement(
        state="active", end_date=TODAY + datetime.timedelta(days=900), title_en="Long running"
    )
    make_agreement(partners=[other_partner], title_en="Kyoto research")
    client.force_login(people.officer)
    response = client.get(reverse("agreements:list"), {"state": "active", "ordering": "-end_date"})
    body = response.content.decode()
    assert soon.number in body and later.number in body
    assert "Kyoto research" not in body
    assert body.index(later.number) < body.index(soon.number)
    assert body.count('class="badge expiring"') == 1
    assert "state=active" in body and "format=xlsx" in body


def test_htmx_request_gets_only_the_results(client, people, make_agreement):
    make_agreement(title_en="Partial refresh")
    client.force_login(people.officer)
    response = client.get(reverse("agreements:list"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    body = response.content.decode()
    assert "Partial refresh" in body
    assert "<html" not in body


def test_export_keeps_filters_and_neutralises_formulas(client, people, make_agreement, other_partner):
    make_agreement(title_en='=HYPERLINK("http://x")')
    make_agreement(partners=[other_partner], title_en="Kyoto only")
    client.force_login(people.officer)
    response = client.get(reverse("agreements:export"), {"country": "DE", "format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "Kyoto only" not in text
    xlsx = client.get(reverse("agreements:export"), {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_detail_shows_actions_and_sections(client, people, make_agreement):
    agreement = make_agreement(state="under_review")
    client.force_login(people.officer)
    body = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert reverse("agreements:transition", args=[agreement.pk, "approve"]) in body
    assert reverse("agreements:transition", args=[agreement.pk, "return"]) in body
    assert reverse("agreements:transition", args=[agreement.pk, "submit"]) not in body
    assert "Heidelberg University" in body and "Germany" in body
    assert "Change history" in body


def test_transition_post_moves_and_records_comment(client, people, make_agreement):
    agreement = make_agreement()
    client.force_login(people.coordinator)
    response = client.post(
        reverse("agreements:transition", args=[agreement.pk, "submit"]), {"comment": "Ready"}, follow=True
    )
    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.state == "under_review"
    assert agreement.transitions.get().comment == "Ready"


def test_forbidden_and_illegal_moves_show_a_message_not_an_error(client, people, make_agreement):
    agreement = make_agreement(state="under_review")
    client.force_login(people.coordinator)
    response = client.post(reverse("agreements:transition", args=[agreement.pk, "approve"]), follow=True)
    assert response.status_code == 200
    assert "You may not approve agreement" in response.content.decode()
    client.force_login(people.officer)
    response = client.post(reverse("agreements:transition", args=[agreement.pk, "activate"]), follow=True)
    assert "Cannot activate: agreement" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.state == "under_review"


def test_transition_on_invisible_agreement_is_404(client, people, make_agreement):
    agreement = make_agreement()
    client.force_login(people.other_coordinator)
    assert client.post(reverse("agreements:transition", args=[agreement.pk, "submit"])).status_code == 404


def test_renew_view_redirects_to_the_successor(client, people, make_agreement):
    agreement = make_agreement(state="active")
    client.force_login(people.coordinator)
    response = client.post(reverse("agreements:renew", args=[agreement.pk]), {"comment": "Again"})
    successor = Agreement.objects.get(renews=agreement)
    assert response.url == successor.get_absolute_url()


def _form_data(org, partner, **extra):
    data = {
        "title_en": "Joint lab",
        "kind": "joint_lab",
        "partners": [partner.pk],
        "channels": ["joint_lab"],
        "responsible_unit": org.computing.pk,
        "start_date": "2026-09-01",
        "end_date": "2031-08-31",
        "sig-TOTAL_FORMS": "1",
        "sig-INITIAL_FORMS": "0",
        "sig-0-side": "home",
        "sig-0-name": "Prof. Wang",
        "sig-0-title": "Vice-President",
    }
    data.update(extra)
    return data


def test_create_form_prefills_partner_and_creates(client, people, org, partner):
    client.force_login(people.coordinator)
    page = client.get(reverse("agreements:create"), {"partner": partner.pk}).content.decode()
    assert f'value="{partner.pk}" selected' in page
    response = client.post(reverse("agreements:create"), _form_data(org, partner))
    agreement = Agreement.objects.get()
    assert response.url == agreement.get_absolute_url()
    assert agreement.number == "2026-JL-0001"
    assert agreement.signatories.get().name == "Prof. Wang"


def test_create_form_shows_rule_errors_inline(client, people, org, partner):
    client.force_login(people.coordinator)
    response = client.post(reverse("agreements:create"), _form_data(org, partner, end_date="2026-01-01"))
    assert response.status_code == 200
    assert "The end date must be after the start date." in response.content.decode()
    assert not Agreement.objects.exists()


def test_students_cannot_open_the_create_form(client, people):
    client.force_login(people.student)
    assert client.get(reverse("agreements:create")).status_code == 403


def test_stale_edit_shows_changes_and_keeps_the_users_values(client, people, org, partner, make_agreement):
    agreement = make_agreement(title_en="Original")
    services.agreement_update(
        agreement=agreement, actor=people.officer, expected_version=1, title_en="Officer edit"
    )
    client.force_login(people.coordinator)
    data = _form_data(org, partner, title_en="My edit", version="1")
    response = client.post(reverse("agreements:edit", args=[agreement.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this record" in body
    assert "Officer edit" in body and 'value="My edit"' in body
    assert 'name="version" value="2"' in body
    agreement.refresh_from_db()
    assert agreement.title_en == "Officer edit"


def test_upload_and_download(client, people, make_agreement):
    agreement = make_agreement()
    client.force_login(people.coordinator)
    client.post(
        reverse("agreements:document_upload", args=[agreement.pk]),
        {"kind": "signed", "file": SimpleUploadedFile("签署版 final.pdf", pdf_bytes())},
    )
    document = agreement.documents.get()
    response = client.get(reverse("agreements:document_download", args=[agreement.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_upload_of_a_disguised_file_shows_the_reason(client, people, make_agreement):
    agreement = make_agreement()
    client.force_login(people.coordinator)
    response = client.post(
        reverse("agreements:document_upload", args=[agreement.pk]),
        {"kind": "signed", "file": SimpleUploadedFile("scan.pdf", png_bytes())},
        follow=True,
    )
    assert "Only PDF and Word documents" in response.content.decode()
    assert not agreement.documents.exists()


def test_download_of_another_agreements_document_is_404(client, people, make_agreement):
    first, second = make_agreement(), make_agreement()
    document = services.document_upload(
        agreement=first, actor=None, uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes()), kind="signed"
    )
    client.force_login(people.officer)
    url = reverse("agreements:document_download", args=[second.pk, document.pk])
    assert client.get(url).status_code == 404


def test_list_filtered_by_partner_from_the_partner_page(
    client, people, make_agreement, partner, other_partner
):
    make_agreement(title_en="With Heidelberg")
    make_agreement(partners=[other_partner], title_en="With Kyoto")
    client.force_login(people.officer)
    body = client.get(reverse("agreements:list"), {"partner": partner.pk}).content.decode()
    assert "With Heidelberg" in body and "With Kyoto" not in body
    assert "show all partners" in body


def test_edit_refused_after_submission_for_coordinator(client, people, make_agreement):
    agreement = make_agreement(state="under_review")
    client.force_login(people.coordinator)
    response = client.get(reverse("agreements:edit", args=[agreement.pk]), follow=True)
    assert "cannot be edited by you" in response.content.decode()
    client.force_login(people.officer)
    assert client.get(reverse("agreements:edit", args=[agreement.pk])).status_code == 200
