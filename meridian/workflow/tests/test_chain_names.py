"""Chains and steps in the reader's language; field hints for chain editors only; one line per skipped
step."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from meridian.core.models import Notification
from meridian.workflow import services
from meridian.workflow.choices import AssigneeKind, TaskState
from meridian.workflow.models import ApprovalChain, StepTask
from meridian.workflow.registry import case_types
from meridian.workflow.tests import casetype

OFFICE = {
    "order": 1,
    "label": "International Office",
    "label_zh": "国际合作与交流处",
    "assignee_kind": AssigneeKind.INTERNATIONAL_OFFICE,
}


def _bilingual_chain(admin, *steps):
    return services.chain_create(
        actor=admin,
        case_type=casetype.CODE,
        name="Trip approval",
        name_zh="出访审批",
        steps=list(steps) or [OFFICE],
    )


def _submitted(org, people, make_trip):
    return services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff), actor=people.staff, move="submit"
    )


def _panel(case, user, language: str) -> str:
    from django.test import RequestFactory

    request = RequestFactory().get("/somewhere/")
    request.user = user
    with translation.override(language):
        return Template("{% load workflow %}{% case_workflow case %}{% case_history case %}").render(
            Context({"case": case, "request": request})
        )


# --- fault 1: codes for chain editors only ---------------------------------------------------------------


def test_return_form_names_fields_plainly_and_the_editor_lists_the_codes(client, org, people, make_trip):
    _bilingual_chain(people.admin)
    trip = _submitted(org, people, make_trip)
    html = _panel(trip, people.officer, "en")
    assert 'data-step-action="return"' in html
    assert "Comment on Languages<" in html
    assert "en, zh, fr, de" not in html
    client.force_login(people.admin)
    chain = ApprovalChain.objects.get()
    editor = client.get(reverse("workflow:chain_edit", args=[chain.pk])).content.decode()
    assert '<tr data-field="languages">' in editor and "en, zh, fr, de" in editor


def _codes(field) -> list[str]:
    return [code.strip() for code in str(field.hint).split(",") if code.strip()]


@pytest.mark.parametrize("code", ["trip", "visit"])
def test_return_form_of_a_trip_and_a_visit_shows_no_code_list(client, people, code):
    case_type = case_types.get(code)
    hinted = [f for f in case_type.fields if f.hint]
    assert hinted, "the case type documents the codes of its choice fields"
    codes = {c for h in hinted for c in _codes(h) if "_" in c}
    for f in case_type.fields:
        assert not [c for c in codes if c in str(f.label)], f.name
        assert not [h for h in hinted if str(h.hint) in str(f.label)], f.name
    task = SimpleNamespace(
        pk=1, order=1, display_label="Office", state="open", get_state_display="open", due_at=None
    )
    html = render_to_string(
        "workflow/includes/case_approval.html",
        {
            "approval": SimpleNamespace(
                chain_version=SimpleNamespace(chain=SimpleNamespace(display_name="c"), number=1),
                round=1,
                get_state_display="running",
            ),
            "steps": [{"task": task, "assignees": [], "mine": True, "principal": None}],
            "fields": list(case_type.fields),
            "request": SimpleNamespace(get_full_path=lambda: "/x/"),
        },
    )
    assert 'data-step-action="return"' in html
    labels = " ".join(re.findall(r"<label[^>]*>(.*?)</label>", html))
    for f in hinted:
        assert f"Comment on {f.label}" in labels
        assert str(f.hint) not in html
        assert not [c for c in _codes(f) if "_" in c and c in labels], f.name
    client.force_login(people.admin)
    editor = client.get(reverse("workflow:chain_create")).content.decode()
    for f in hinted:
        assert f'<tr data-field="{f.name}">' in editor and str(f.hint) in editor


# --- fault 2: Chinese names of chains and steps ----------------------------------------------------------


def test_chain_and_step_names_follow_the_reader_language(org, people, make_trip):
    _bilingual_chain(
        people.admin,
        OFFICE,
        {"order": 2, "label": "University leader", "assignee_kind": AssigneeKind.UNIVERSITY_LEADER},
    )
    trip = _submitted(org, people, make_trip)
    zh = _panel(trip, people.officer, "zh-hans")
    assert "出访审批" in zh and "1. 国际合作与交流处" in zh
    assert "Trip approval" not in zh and "International Office" not in zh
    assert "2. University leader" in zh  # no Chinese name given: the English one
    en = _panel(trip, people.officer, "en")
    assert "Trip approval" in en and "1. International Office" in en and "国际合作与交流处" not in en
    # The assignees' notice is stored in both languages.
    notice = Notification.objects.get(recipient=people.officer, verb="workflow.task")
    assert "International Office" in notice.subject and "国际合作与交流处" in notice.subject_zh
    task = StepTask.objects.get(state=TaskState.OPEN)
    assert (task.label, task.label_zh) == ("International Office", "国际合作与交流处")
    with translation.override("zh-hans"):
        assert str(task) == "国际合作与交流处 (open)"


def test_inbox_message_history_and_api_speak_chinese(client, org, people, make_trip):
    _bilingual_chain(people.admin)
    trip = _submitted(org, people, make_trip)
    task = StepTask.objects.get(state=TaskState.OPEN)
    client.force_login(people.officer)
    inbox = client.get(reverse("workflow:inbox"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="zh-hans"' in inbox and "<td>国际合作与交流处</td>" in inbox
    api = APIClient()
    api.force_authenticate(people.officer)
    rows = api.get("/api/v1/workflow/tasks/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"]
    assert (rows[0]["label"], rows[0]["label_en"], rows[0]["label_zh"]) == (
        "国际合作与交流处",
        "International Office",
        "国际合作与交流处",
    )
    assert api.get("/api/v1/workflow/tasks/").json()["results"][0]["label"] == "International Office"
    done = client.post(
        reverse("workflow:step_action", args=[task.pk, "approve"]),
        {"comment": "ok"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        follow=True,
    ).content.decode()
    assert "“国际合作与交流处”" in done and "International Office" not in done
    trip.refresh_from_db()
    assert "“国际合作与交流处”" in _panel(trip, people.officer, "zh-hans")
    assert "“International Office”" in _panel(trip, people.officer, "en")


def test_chain_names_are_validated(people, trip_type):
    with pytest.raises(ValidationError) as too_long:
        _bilingual_chain(people.admin, {**OFFICE, "label_zh": "长" * 201})
    assert "Step 1: a name may have at most 200 characters." in too_long.value.messages
    with pytest.raises(ValidationError) as only_chinese:
        _bilingual_chain(people.admin, {**OFFICE, "label": ""})
    assert "Step 1: give the step a name." in only_chinese.value.messages
    with pytest.raises(ValidationError) as chain_name:
        services.chain_create(
            actor=people.admin, case_type=casetype.CODE, name="Trips", name_zh="长" * 201, steps=[OFFICE]
        )
    assert "name_zh" in chain_name.value.message_dict
    assert not ApprovalChain.objects.exists()
    chain = _bilingual_chain(people.admin)
    services.chain_version_publish(chain=chain, actor=people.admin, steps=[OFFICE], name_zh="")
    chain.refresh_from_db()
    assert (chain.name, chain.name_zh) == ("Trip approval", "")


def test_chain_editor_takes_and_shows_the_chinese_names(client, people, trip_type):
    client.force_login(people.admin)
    data = {
        "case_type": casetype.CODE,
        "name": "Trip approval",
        "name_zh": "出访审批",
        "note": "",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-order": "1",
        "steps-0-label": "International Office",
        "steps-0-label_zh": "国际合作与交流处",
        "steps-0-assignee_kind": "international_office",
        "steps-0-due_unit": "days",
    }
    client.post(reverse("workflow:chain_create"), data)
    chain = ApprovalChain.objects.get()
    assert chain.name_zh == "出访审批"
    assert chain.versions.get().steps.get().label_zh == "国际合作与交流处"
    edit = client.get(reverse("workflow:chain_edit", args=[chain.pk])).content.decode()
    assert 'value="出访审批"' in edit and 'value="国际合作与交流处"' in edit
    detail = client.get(reverse("workflow:chain_detail", args=[chain.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = detail.content.decode()
    assert "<h1>出访审批</h1>" in page and "Trip approval" in page and "国际合作与交流处" in page
    listing = client.get(reverse("workflow:chains"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "出访审批</a>" in listing
    # A Chinese name without an English one is refused, with the input kept.
    data.update({"steps-0-label": "", "steps-0-label_zh": "校领导"})
    refused = client.post(reverse("workflow:chain_edit", args=[chain.pk]), data).content.decode()
    assert "give the step a name" in refused and 'value="校领导"' in refused
    assert chain.versions.count() == 1


def test_chain_ensure_creates_updates_its_own_chain_and_leaves_others_alone(people, trip_type):
    chain = services.chain_ensure(
        actor=people.admin, case_type=casetype.CODE, name="Trip approval", steps=[{**OFFICE, "label_zh": ""}]
    )
    assert chain.versions.count() == 1
    services.chain_ensure(
        actor=people.admin, case_type=casetype.CODE, name="Trip approval", steps=[{**OFFICE, "label_zh": ""}]
    )
    assert chain.versions.count() == 1  # nothing changed: no new version
    services.chain_ensure(
        actor=people.admin, case_type=casetype.CODE, name="Trip approval", name_zh="出访审批", steps=[OFFICE]
    )
    chain.refresh_from_db()
    assert chain.name_zh == "出访审批" and chain.versions.count() == 2
    assert chain.versions.order_by("-number").first().steps.get().label_zh == "国际合作与交流处"
    other = services.chain_ensure(
        actor=people.admin, case_type=casetype.CODE, name="Something else", steps=[OFFICE, OFFICE]
    )
    assert other.pk == chain.pk and chain.versions.count() == 2


# --- fault 3: one line per skipped step ------------------------------------------------------------------


def test_exclusive_twin_steps_show_as_one_line(org, people, make_trip):
    leader = {"order": 2, "label": "University leader", "assignee_kind": AssigneeKind.UNIVERSITY_LEADER}
    _bilingual_chain(
        people.admin,
        OFFICE,
        {**leader, "conditions": "duration_days >= 100"},
        {**leader, "conditions": "languages contains xx"},
        {**leader, "label": "Finance office", "conditions": "duration_days >= 100"},
    )
    trip = _submitted(org, people, make_trip)
    assert StepTask.objects.filter(state=TaskState.SKIPPED).count() == 3
    html = _panel(trip, people.officer, "en")
    assert html.count("2. University leader") == 1
    assert html.count("2. Finance office") == 1  # a different step of the same order keeps its line
    # One twin runs: only its line shows.
    second = services.case_move(
        case=make_trip(unit=org.computing, applicant=people.staff, types="xx"),
        actor=people.staff,
        move="submit",
    )
    html = _panel(second, people.officer, "en")
    assert html.count("2. University leader") == 1
    assert 'data-state="waiting"' in html
