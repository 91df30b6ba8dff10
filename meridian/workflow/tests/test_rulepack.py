"""The generic rule-pack platform: typed parameters, versioned rule sets, evaluation, the editor page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from meridian.core.errors import PermissionDeniedError
from meridian.workflow.models import RuleSetting, RuleSetVersion
from meridian.workflow.rulepack import (
    Param,
    RuleDefinition,
    Source,
    blocking_messages,
    evaluate,
    failed,
    passed,
    rule_packs,
    ruleset_current,
    ruleset_publish,
    ruleset_version,
)

CONTEXT = "demo"


def _size(facts, params):
    if facts["people"] > params["max_people"]:
        return failed(_("%(n)s people, at most %(limit)s."), n=facts["people"], limit=params["max_people"])
    return passed(_("Size fine."))


def _note(facts, params):
    return failed(_("Needs a reason."))


@pytest.fixture
def pack():
    p = rule_packs.pack(CONTEXT, "Demo")
    p.register(
        RuleDefinition(
            "size",
            "Size",
            "At most so many people.",
            "block",
            (
                Param("max_people", "int", 6, "Most people"),
                Param("rate", "decimal", Decimal("1.5"), "Rate"),
                Param("strict", "bool", True, "Strict"),
                Param("codes", "codes", ["DE"], "Countries"),
            ),
            Source("Doc 1", "art. 2", "https://example.org/doc1"),
            _size,
        )
    )
    p.register(RuleDefinition("reason", "Reason", "", "justify", (), Source("Doc 2"), _note))
    p.register(RuleDefinition("length", "Length", "", "warn", (Param("days", "int", 5, "Days"),)))
    yield p
    rule_packs._packs.pop(CONTEXT, None)


def test_first_use_installs_version_one_from_the_defaults(db, pack):
    rules = ruleset_current(CONTEXT)
    assert rules.number == 1
    assert rules.parameter("size", "max_people") == 6
    assert rules.parameter("size", "rate") == Decimal("1.5")
    version = RuleSetVersion.objects.get(context=CONTEXT)
    assert version.is_current and version.number == 1
    assert RuleSetting.objects.filter(version=version).count() == 3


def test_publishing_makes_a_new_version_and_leaves_the_old_one_alone(db, people, pack):
    ruleset_current(CONTEXT)
    v2 = ruleset_publish(
        context=CONTEXT,
        actor=people.admin,
        settings={"size": {"severity": "warn", "parameters": {"max_people": "4", "codes": "fr, it"}}},
        note="Province rules of 2027",
    )
    assert v2.number == 2 and v2.is_current and v2.published_by == people.admin
    assert ruleset_current(CONTEXT).parameter("size", "max_people") == 4
    assert ruleset_current(CONTEXT).parameter("size", "codes") == ["FR", "IT"]
    assert ruleset_current(CONTEXT).rules["size"].severity == "warn"
    old = ruleset_version(CONTEXT, 1)
    assert old.parameter("size", "max_people") == 6 and old.rules["size"].severity == "block"
    assert RuleSetVersion.objects.filter(context=CONTEXT, is_current=True).count() == 1


def test_parameter_types_are_checked_with_a_clear_error(db, people, pack):
    with pytest.raises(ValidationError) as caught:
        ruleset_publish(
            context=CONTEXT,
            actor=people.admin,
            settings={"size": {"parameters": {"max_people": "six", "strict": "maybe", "rate": "-1"}}},
        )
    text = " ".join(caught.value.messages)
    assert "Size, Most people: “six” is not a whole number (0 or more)." in text
    assert "Size, Strict: “maybe” is not yes or no." in text
    assert "Size, Rate: “-1” is not a number of 0 or more." in text
    assert RuleSetVersion.objects.filter(context=CONTEXT).count() <= 1


def test_only_administrators_publish(db, people, pack):
    with pytest.raises(PermissionDeniedError):
        ruleset_publish(context=CONTEXT, actor=people.officer, settings={}, note="x")


def test_evaluation_severity_justification_and_source(db, pack):
    results = evaluate(CONTEXT, {"people": 8}, justifications={"reason": "Because."})
    by_code = {r["code"]: r for r in results}
    assert set(by_code) == {"size", "reason"}  # settings-only entries are not evaluated
    assert by_code["size"]["message"] == "8 people, at most 6."
    assert by_code["size"]["blocking"]
    assert by_code["size"]["source"] == {
        "document": "Doc 1",
        "article": "art. 2",
        "url": "https://example.org/doc1",
    }
    assert by_code["reason"]["outcome"] == "fail" and not by_code["reason"]["blocking"]
    assert by_code["reason"]["justification"] == "Because."
    assert blocking_messages(results) == ["8 people, at most 6."]


def test_source_override_is_kept_per_version(db, people, pack):
    ruleset_publish(
        context=CONTEXT,
        actor=people.admin,
        settings={"size": {"source": {"document": "Provincial notice 12", "url": "https://example.org/p12"}}},
        note="Provincial notice",
    )
    result = evaluate(CONTEXT, {"people": 1})[0]
    assert result["source"]["document"] == "Provincial notice 12"
    assert result["source"]["url"] == "https://example.org/p12"


def _post(pack_fields: dict, note: str = "Tighter limits") -> dict:
    data = {
        "note": note,
        "size__enabled": "on",
        "size__severity": "block",
        "size__p__max_people": "6",
        "size__p__rate": "1.5",
        "size__p__strict": "on",
        "size__p__codes": "DE",
        "reason__enabled": "on",
        "reason__severity": "justify",
        "length__p__days": "5",
    }
    data.update(pack_fields)
    return data


def test_editor_publishes_a_version_and_shows_the_history(client, people, pack):
    client.force_login(people.admin)
    url = reverse("workflow:rulepack", args=[CONTEXT])
    response = client.get(url)
    assert response.status_code == 200
    assert "Most people" in response.content.decode()
    response = client.post(url, _post({"size__p__max_people": "4"}))
    assert response.status_code == 302
    assert ruleset_current(CONTEXT).parameter("size", "max_people") == 4
    page = client.get(url).content.decode()
    assert "Version 2" in page and "Tighter limits" in page
    assert "Size, Most people: 6 → 4" in page


def test_editor_refuses_a_bad_value_and_stores_nothing(client, people, pack):
    client.force_login(people.admin)
    url = reverse("workflow:rulepack", args=[CONTEXT])
    client.get(url)
    response = client.post(url, _post({"size__p__max_people": "lots"}))
    assert response.status_code == 400
    assert "Size, Most people: “lots” is not a whole number (0 or more)." in response.content.decode()
    assert RuleSetVersion.objects.filter(context=CONTEXT).count() == 1


@pytest.mark.parametrize("who", ["officer", "coordinator", "staff", "leadership", "student", "outsider"])
def test_editor_is_for_administrators_only(client, people, pack, who):
    client.force_login(getattr(people, who))
    url = reverse("workflow:rulepack", args=[CONTEXT])
    assert client.get(url).status_code == 403
    assert client.post(url, _post({"size__p__max_people": "1"})).status_code == 403
    assert not RuleSetVersion.objects.filter(context=CONTEXT, number=2).exists()


def test_unknown_rule_pack_is_404(client, people):
    client.force_login(people.admin)
    assert client.get(reverse("workflow:rulepack", args=["nothing"])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, db, pack):
    response = client.get(reverse("workflow:rulepack", args=[CONTEXT]))
    assert response.status_code == 302
