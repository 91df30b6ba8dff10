"""Pages of the rule pack: the visitors rules page (administrators), the hosting-standards pages (the office),
the rule panel of the visit page and its justification form (whoever edits the visit)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from meridian.visitors import rules
from meridian.visitors.casework import evaluation_date
from meridian.visitors.choices import BudgetKind, InvitationKind, StandardBasis
from meridian.visitors.models import HostingStandard, Visit
from meridian.visitors.services.standards import DEFAULT_TABLE
from meridian.visitors.tests.factories import FUTURE, make_visit
from meridian.visitors.views.rules import panel_context
from meridian.workflow.models import RuleSetVersion
from meridian.workflow.rulepack import ruleset_current

SOON = FUTURE - timedelta(days=10)  # ten days before arrival: the lead time fails (justify)


def form_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.widget.input_type == "checkbox":
            if value:
                data[name] = "on"
        elif value not in (None, ""):
            data[name] = value
    return data


# --- the rules page --------------------------------------------------------------------------------------


def test_rules_page_lists_every_rule_with_its_source_for_administrators(client, people):
    client.force_login(people.admin)
    page = client.get(reverse("visitors:rules")).content.decode()
    for label in ("Lead time", "Days hosted without reciprocity", "Passport valid beyond departure"):
        assert label in page
    assert "food.nwsuaf.edu.cn" in page and "Version 1" in page


def test_rules_page_publishes_a_new_version(client, people):
    client.force_login(people.admin)
    url = reverse("visitors:rules")
    data = form_data(client.get(url).context["form"])
    data["lead_time__p__days_default"] = "45"
    data["note"] = "Provincial notice 2027-3"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert rules.parameter("lead_time", "days_default") == 45
    assert rules.parameter("lead_time", "official_categories") == ["OFFICIAL_DELEGATION"]
    assert ruleset_current("visitors").number == 2


@pytest.mark.parametrize("who", ["officer", "coordinator", "staff", "leadership", "student", "outsider"])
def test_rules_page_refuses_everyone_else(client, people, who):
    client.force_login(getattr(people, who))
    assert client.get(reverse("visitors:rules")).status_code == 403
    assert client.post(reverse("visitors:rules"), {"note": "x"}).status_code == 403
    assert not RuleSetVersion.objects.filter(context="visitors", number__gt=1).exists()


def test_rules_page_needs_a_sign_in(client, db):
    response = client.get(reverse("visitors:rules"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- the standards pages ---------------------------------------------------------------------------------


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
    assert client.get(reverse("visitors:standards")).status_code == status
    assert client.get(reverse("visitors:standard_create")).status_code == status


def test_an_empty_table_offers_the_defaults(client, people):
    client.force_login(people.officer)
    page = client.get(reverse("visitors:standards")).content.decode()
    assert reverse("visitors:standards_install") in page
    response = client.post(reverse("visitors:standards_install"))
    assert response.status_code == 302
    assert HostingStandard.objects.count() == len(DEFAULT_TABLE)
    page = client.get(reverse("visitors:standards")).content.decode()
    assert reverse("visitors:standards_install") not in page
    assert "Accommodation" in page and "open-ended" in page and "added" in page  # the table and its history


@pytest.mark.parametrize("who", ["coordinator", "staff", "outsider"])
def test_others_cannot_install_change_or_delete(client, people, who):
    kept = HostingStandard.objects.create(
        kind=BudgetKind.MEALS,
        basis=StandardBasis.PER_PERSON_DAY,
        cap=Decimal("300"),
        valid_from=date(2026, 1, 1),
    )
    client.force_login(getattr(people, who))
    assert client.post(reverse("visitors:standards_install")).status_code == 403
    assert client.post(reverse("visitors:standard_edit", args=[kept.pk]), {"cap": "1"}).status_code == 403
    assert client.post(reverse("visitors:standard_delete", args=[kept.pk])).status_code == 403
    kept.refresh_from_db()
    assert kept.cap == Decimal("300.00") and HostingStandard.objects.count() == 1


def test_a_row_is_added_through_the_form(client, people):
    client.force_login(people.officer)
    data = {"kind": "gifts", "rank": "", "basis": "per_person", "cap": "250", "valid_from": "2026-01-01"}
    response = client.post(reverse("visitors:standard_create"), data)
    assert response.status_code == 302
    saved = HostingStandard.objects.get()
    assert saved.cap == Decimal("250.00") and saved.updated_by == people.officer


def test_a_refused_row_is_shown_again_with_what_was_typed(client, people):
    client.force_login(people.officer)
    data = {
        "kind": "gifts",
        "basis": "per_person",
        "cap": "250",
        "valid_from": "2026-05-01",
        "valid_until": "2026-01-01",
        "note": "Board decision 17",
    }
    response = client.post(reverse("visitors:standard_create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The end of validity cannot be before its start." in page and "Board decision 17" in page
    assert not HostingStandard.objects.exists()


def test_an_overlapping_row_is_refused_with_the_clash(client, people):
    HostingStandard.objects.create(
        kind=BudgetKind.GIFTS, basis=StandardBasis.PER_PERSON, cap=Decimal("300"), valid_from=date(2026, 1, 1)
    )
    client.force_login(people.officer)
    data = {"kind": "gifts", "basis": "per_person", "cap": "250", "valid_from": "2026-05-01"}
    response = client.post(reverse("visitors:standard_create"), data)
    assert response.status_code == 400 and "valid then already" in response.content.decode()
    assert HostingStandard.objects.count() == 1


def test_a_row_is_changed_and_deleted(client, people):
    kept = HostingStandard.objects.create(
        kind=BudgetKind.GIFTS, basis=StandardBasis.PER_PERSON, cap=Decimal("300"), valid_from=date(2026, 1, 1)
    )
    client.force_login(people.officer)
    data = {"kind": "gifts", "basis": "per_person", "cap": "320", "valid_from": "2026-01-01"}
    assert client.post(reverse("visitors:standard_edit", args=[kept.pk]), data).status_code == 302
    kept.refresh_from_db()
    assert kept.cap == Decimal("320.00")
    assert client.get(reverse("visitors:standard_delete", args=[kept.pk])).status_code == 405
    assert client.post(reverse("visitors:standard_delete", args=[kept.pk])).status_code == 302
    assert not HostingStandard.objects.exists()


def test_the_standards_page_in_chinese_is_served(client, people):
    client.force_login(people.officer)
    response = client.get(reverse("visitors:standards"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and 'lang="zh-hans"' in response.content.decode()


# --- the rule panel --------------------------------------------------------------------------------------


def render_panel(user, visit: Visit) -> str:
    request = RequestFactory().get("/")
    request.user = user
    with evaluation_date(SOON):
        context = panel_context(request, visit)
    assert context is not None
    return render_to_string("visitors/rules/_panel.html", {**context, "visit": visit}, request=request)


def test_the_panel_of_a_draft_checks_now_and_offers_justifications_to_editors(org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff)
    page = render_panel(people.staff, visit)
    assert "Lead time" in page and "1 rule stops the visit now." in page and "Checked now" in page
    assert reverse("visitors:visit_justify", args=[visit.pk]) in page and 'value="lead_time"' in page


def test_the_panel_offers_no_justification_to_readers(org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff)
    page = render_panel(people.leadership, visit)
    assert "Lead time" in page and reverse("visitors:visit_justify", args=[visit.pk]) not in page


def test_the_panel_shows_guests_data_problems_only_to_those_who_see_guests_data(org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff, invitation_kind=InvitationKind.LETTER)
    assert "No passport on record for: SCHMIDT Anna" in render_panel(people.staff, visit)
    page = render_panel(people.leadership, visit)
    assert "No passport on record" not in page and "those who handle the visit see the details" in page


def test_the_panel_of_a_submitted_visit_shows_the_stored_results_and_version(org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff)
    with evaluation_date(FUTURE - timedelta(days=100)):
        rules.visit_check(visit=visit, save=True)
    Visit.objects.filter(pk=visit.pk).update(state="under_review")
    visit.refresh_from_db()
    page = render_panel(people.staff, visit)  # checked on a day the lead time would fail
    assert "No rule stops the visit." in page and "rule set version 1" in page
    assert reverse("visitors:visit_justify", args=[visit.pk]) not in page


# --- justifications --------------------------------------------------------------------------------------


def justify(client, visit: Visit, text: str = "The visit was announced at short notice.", **extra):
    data = {"code": "lead_time", "text": text, "version": str(visit.version), **extra}
    return client.post(reverse("visitors:visit_justify", args=[visit.pk]), data)


def test_the_host_justifies_a_rule_and_it_stops_blocking(client, org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff)
    client.force_login(people.staff)
    assert justify(client, visit).status_code == 302
    visit.refresh_from_db()
    assert visit.justifications == {"lead_time": "The visit was announced at short notice."}
    assert visit.version == 2
    with evaluation_date(SOON):
        assert rules.blocking_messages(visit) == []


def test_an_empty_justification_removes_it(client, org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff, justifications={"lead_time": "x"})
    client.force_login(people.coordinator)  # the host unit's secretary
    assert justify(client, visit, text="  ").status_code == 302
    visit.refresh_from_db()
    assert visit.justifications == {}


@pytest.mark.parametrize("who,status", [("other_coordinator", 404), ("student", 404), ("leadership", 403)])
def test_others_cannot_justify(client, org, people, who, status):
    visit = make_visit(host_unit=org.engineering, host=people.staff)
    client.force_login(getattr(people, who))
    assert justify(client, visit).status_code == status
    visit.refresh_from_db()
    assert visit.justifications == {}


def test_a_submitted_visit_cannot_be_justified_any_more(client, org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff, state="under_review")
    client.force_login(people.staff)
    assert justify(client, visit).status_code == 403


def test_a_justification_is_get_refused(client, org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff)
    client.force_login(people.staff)
    assert client.get(reverse("visitors:visit_justify", args=[visit.pk])).status_code == 405


def test_a_stale_justification_is_refused_and_the_text_kept(client, org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff)
    Visit.objects.filter(pk=visit.pk).update(version=5)
    client.force_login(people.staff)
    response = justify(client, visit, text="Typed with care")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else changed the visit" in page and "Typed with care" in page
    visit.refresh_from_db()
    assert visit.justifications == {}


def test_an_unknown_rule_cannot_be_justified(client, org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff)
    client.force_login(people.staff)
    response = justify(client, visit, code="no_such_rule")
    assert response.status_code == 400 and "no_such_rule" in response.content.decode()


def test_the_visit_page_shows_the_rule_panel(client, org, people):
    visit = make_visit(host_unit=org.engineering, host=people.staff)
    client.force_login(people.staff)
    with evaluation_date(SOON):
        page = client.get(reverse("visitors:visit_detail", args=[visit.pk])).content.decode()
    assert 'id="rule-results"' in page and reverse("visitors:visit_justify", args=[visit.pk]) in page


def test_leadership_reads_the_rule_packs_generic_message_on_the_visit_page(client, org, people, monkeypatch):
    """The page and the API share one privacy decision: ``rules.readable_results`` and its message."""
    visit = make_visit(host_unit=org.engineering, host=people.staff, invitation_kind=InvitationKind.LETTER)
    monkeypatch.setattr(rules, "PRIVATE_MESSAGE", "Details only for those who handle the visit (shared).")
    client.force_login(people.leadership)
    response = client.get(reverse("visitors:visit_detail", args=[visit.pk]))
    text = response.content.decode()
    assert response.status_code == 200 and 'id="rule-passport_validity"' in text
    assert "Details only for those who handle the visit (shared)." in text
    assert "No passport on record" not in text
    client.force_login(people.staff)
    assert (
        "No passport on record for: SCHMIDT Anna"
        in client.get(reverse("visitors:visit_detail", args=[visit.pk])).content.decode()
    )
