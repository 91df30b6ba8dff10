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
    client.get(url)  # content types and the session are cached once per process; compare warm requests
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


def test_activate_without_start_date_is_shown_disabled_with_the_reason(client, people, make_agreement):
    """The example from the issue: "Activate" used to show on an agreement without a start date and fail
    after the click; now the page explains why it is unavailable and offers no form for it."""
    agreement = make_agreement(state="approved", start_date=None, number="2026-SE-0077")
    client.force_login(people.officer)
    body = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert reverse("agreements:transition", args=[agreement.pk, "activate"]) not in body
    assert (
        '<button type="button" class="btn" disabled aria-describedby="why-activate">Activate</button>' in body
    )
    assert "Agreement 2026-SE-0077 needs a start date before it can be activated." in body
    assert reverse("agreements:edit", args=[agreement.pk]) in body
    assert reverse("agreements:transition", args=[agreement.pk, "terminate"]) in body
    # With a start date the same page offers the move, the date filled in.
    services.agreement_update(agreement=agreement, actor=people.officer, start_date=datetime.date(2026, 9, 1))
    body = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert reverse("agreements:transition", args=[agreement.pk, "activate"]) in body
    assert 'name="start_date" value="2026-09-01"' in body


def test_activation_form_records_the_start_date(client, people, make_agreement):
    agreement = make_agreement(state="approved", start_date=datetime.date(2026, 9, 1))
    client.force_login(people.officer)
    client.post(
        reverse("agreements:transition", args=[agreement.pk, "activate"]),
        {"start_date": "2026-10-01", "comment": ""},
    )
    agreement.refresh_from_db()
    assert (agreement.state, agreement.start_date) == ("active", datetime.date(2026, 10, 1))


def test_history_shows_each_approval_step_with_who_for_whom_and_why(client, people, org, make_agreement):
    from meridian.workflow.services import chain_create, deputy_create, step_approve, unit_post_add

    dean = people.staff
    unit_post_add(actor=None, unit=org.engineering, user=dean, post="leader")
    deputy_create(
        actor=people.admin,
        principal=dean,
        deputy=people.other_coordinator,
        starts_on=TODAY - datetime.timedelta(days=1),
        ends_on=TODAY + datetime.timedelta(days=1),
    )
    chain_create(
        actor=people.admin,
        case_type="agreement",
        name="Review",
        steps=[
            {"order": 1, "label": "Dean of the school", "assignee_kind": "unit_leader"},
            {"order": 2, "label": "International Office review", "assignee_kind": "international_office"},
        ],
    )
    agreement = make_agreement()
    services.agreement_submit(agreement=agreement, actor=people.coordinator, comment="Please review")
    from meridian.workflow.selectors import tasks_for

    step_approve(task=tasks_for(user=dean).get(), actor=people.other_coordinator, comment="Fine for the dean")
    client.force_login(people.officer)
    body = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    # The approval panel: the first step decided, the second waiting for the officer with the decision forms.
    assert "International Office review" in body and 'data-step-action="approve"' in body
    history = body[body.index('id="transitions"') :]
    assert "coordinator2</strong> (on behalf of staff)" in history
    assert "“Dean of the school”" in history and "<q>Fine for the dean</q>" in history
    assert "<q>Please review</q>" in history
    # The officer cannot approve the whole agreement by hand while the chain runs, and is told why.
    assert "Waiting for the approval steps: International Office review." in body


def test_detail_page_query_count_does_not_grow(client, people, make_agreement, germany):
    from meridian.workflow.testing import assert_flat_queries

    agreement = make_agreement(state="draft", start_date=None)
    client.force_login(people.officer)

    def add_rows(n: int) -> None:
        for _ in range(n):
            agreement.parties.create(partner=PartnerFactory(country=germany))
            services.document_upload(
                agreement=agreement,
                actor=people.officer,
                uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes()),
                kind="annex",
            )
            services.agreement_submit(agreement=agreement, actor=people.officer)
            services.agreement_return(agreement=agreement, actor=people.officer, comment="Again")

    assert_flat_queries(
        fetch=lambda: client.get(reverse("agreements:detail", args=[agreement.pk])), add_rows=add_rows
    )


def test_list_page_query_count_does_not_grow_for_a_partner_contact(client, org, make_agreement, partner):
    from meridian.partners.models import PartnerContact
    from meridian.workflow.testing import assert_flat_queries, partner_contact_user

    contact = partner_contact_user(org)
    PartnerContact.objects.create(partner=partner, name="Anna Becker", user=contact)
    client.force_login(contact)
    assert_flat_queries(
        fetch=lambda: client.get(reverse("agreements:list")),
        add_rows=lambda n: [make_agreement(state="active") for _ in range(n)],
    )


def test_following_an_agreement_brings_its_moves_to_the_inbox(client, people, make_agreement):
    from meridian.core.models import Notification

    agreement = make_agreement()
    client.force_login(people.staff)
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "Follow this case" in page
    client.post(reverse("workflow:watch", args=["agreement", agreement.pk]), {"watching": "1"})
    assert "Stop following" in client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    services.agreement_submit(agreement=agreement, actor=people.coordinator)
    assert Notification.objects.filter(recipient=people.staff, object_id=agreement.pk).count() == 1


def test_the_units_secretary_submits_on_behalf_of_the_applicant(client, people, org, make_agreement):
    from meridian.accounts.choices import Role
    from meridian.accounts.services import membership_grant, user_create
    from meridian.workflow.services import unit_post_add

    secretary = user_create(username="secretary", email="secretary@meridian.example")
    membership_grant(user=secretary, unit=org.engineering, role=Role.STAFF)
    unit_post_add(actor=None, unit=org.engineering, user=secretary, post="secretary")
    agreement = make_agreement(created_by=people.coordinator)
    client.force_login(secretary)
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "Submit for review on behalf of coordinator" in page
    client.post(
        reverse("agreements:transition", args=[agreement.pk, "submit"]),
        {"comment": "Sent in for Prof. Zhao", "on_behalf_of": str(people.coordinator.pk)},
    )
    agreement.refresh_from_db()
    assert agreement.state == "under_review"
    entry = agreement.transitions.get()
    assert (entry.actor, entry.on_behalf_of, entry.comment) == (
        secretary,
        people.coordinator,
        "Sent in for Prof. Zhao",
    )
    # Another staff member of the unit, without the post, is offered nothing and may not act for anyone.
    client.force_login(people.staff)
    other = make_agreement(created_by=people.coordinator)
    assert (
        'name="on_behalf_of"'
        not in client.get(reverse("agreements:detail", args=[other.pk])).content.decode()
    )
    client.post(
        reverse("agreements:transition", args=[other.pk, "submit"]),
        {"on_behalf_of": str(people.coordinator.pk)},
    )
    other.refresh_from_db()
    assert other.state == "draft"
