"""A source's ``refusal`` hook (may this template be generated for this case now?) and its
``generation_context`` hook, as the generating service, the generic generate page and batches ask them."""

from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils import translation

from meridian.core.errors import PermissionDeniedError
from meridian.documents import services
from meridian.documents.batches import document_batch_start
from meridian.documents.models import GeneratedDocument
from meridian.documents.services import DocumentError, DocumentRefusedError
from meridian.documents.sources import DocumentSource, sources
from meridian.documents.tests.helpers import pdf_text, read
from meridian.jobs.models import JobRun

pytestmark = pytest.mark.django_db

REASON = "Not before the agreement is signed."


@pytest.fixture
def asked(monkeypatch):
    """Give the agreement source a refusal hook that refuses "signature-page" for draft agreements; returns
    the list of ``(user, case, template code)`` it was asked with."""
    calls: list[tuple] = []

    def refusal(user, agreement, template_code):
        calls.append((user, agreement, template_code))
        if template_code == "signature-page" and agreement.state == "draft":
            return translation.gettext(REASON)
        return None

    source = sources.get("agreement")
    monkeypatch.setitem(sources._sources, "agreement", replace(source, refusal=refusal))
    return calls


def _generate(agreement, actor, code="signature-page"):
    return services.document_generate(template_code=code, subject=agreement, actor=actor)


class TestDefault:
    def test_every_template_is_allowed_without_a_hook(self, people, agreement):
        source = sources.get("agreement")
        assert source.refusal(people.officer, agreement, "signature-page") is None
        bare = DocumentSource(
            key="bare",
            label="Bare",
            model=lambda: type(agreement),
            fields=(),
            context=dict,
            sample=dict,
            holder_name=str,
            issuing_unit=lambda obj: ("", ""),
        )
        assert bare.refusal(people.officer, agreement, "anything") is None
        assert bare.generation_context is None
        assert _generate(agreement, people.officer).serial


class TestService:
    def test_allowed_when_the_hook_says_none(self, people, make_agreement, asked):
        active = make_agreement(state="active")
        document = _generate(active, people.officer)
        assert document.subject == active
        assert asked == [(people.officer, active, "signature-page")]

    def test_refused_with_the_hook_s_message_and_nothing_stored(self, people, agreement, asked):
        with pytest.raises(DocumentRefusedError, match=REASON) as caught:
            _generate(agreement, people.officer)
        assert isinstance(caught.value, DocumentError) and caught.value.code == "document_refused"
        assert not GeneratedDocument.objects.exists()
        # other templates of the same case are not refused
        assert _generate(agreement, people.officer, code="agreement-draft").serial

    def test_asked_only_after_the_permission_check(self, people, make_agreement, asked):
        active = make_agreement(state="active")
        with pytest.raises(PermissionDeniedError):
            _generate(active, people.leadership)
        assert asked == []


class TestGenericPage:
    def test_refusal_is_a_message_on_the_case_page_not_a_403(self, client, people, agreement, asked):
        client.force_login(people.officer)
        url = reverse("documents:generate", args=["agreement", agreement.pk])
        response = client.post(url, {"template": "signature-page", "language": "bilingual"})
        assert response.status_code == 302 and response.url.endswith("#generated-documents")
        page = client.get(response.url)
        assert REASON in page.content.decode()
        assert not GeneratedDocument.objects.exists()

    def test_allowed_template_is_generated(self, client, people, make_agreement, asked):
        active = make_agreement(state="active")
        client.force_login(people.officer)
        url = reverse("documents:generate", args=["agreement", active.pk])
        client.post(url, {"template": "signature-page", "language": "bilingual"})
        assert GeneratedDocument.objects.for_subject(active).count() == 1

    def test_permissions_come_first(self, client, people, make_agreement, asked):
        active = make_agreement(state="active")
        client.force_login(people.student)
        url = reverse("documents:generate", args=["agreement", active.pk])
        assert client.post(url, {"template": "signature-page", "language": "bilingual"}).status_code == 404
        assert asked == [] and not GeneratedDocument.objects.exists()


def test_batch_reports_the_reason_for_each_refused_case(
    people, make_agreement, asked, monkeypatch, django_capture_on_commit_callbacks
):
    active, draft = make_agreement(state="active"), make_agreement(state="draft")
    source = sources.get("agreement")
    batch = replace(
        source, batch_cases=lambda user: type(active).objects.filter(pk__in=[active.pk, draft.pk])
    )
    monkeypatch.setitem(sources._sources, "agreement", batch)
    with django_capture_on_commit_callbacks(execute=True):
        job = document_batch_start(template_code="signature-page", language="bilingual", actor=people.officer)
    job.refresh_from_db()
    assert job.state == JobRun.State.SUCCEEDED and job.result["generated"] == 1
    assert job.result["problems"] == [{"case": str(draft), "reason": REASON}]


def test_generation_context_is_asked_per_template_and_actor(people, agreement, monkeypatch):
    source = sources.get("agreement")
    seen: list[tuple] = []

    def generation_context(obj, template_code, actor):
        seen.append((obj, template_code, actor))
        context = source.context(obj)
        context["parties"][0]["name_en"] = f"{template_code} for {actor.username}"
        return context

    monkeypatch.setitem(sources._sources, "agreement", replace(source, generation_context=generation_context))
    text = pdf_text(read(_generate(agreement, people.officer)))
    assert seen == [(agreement, "signature-page", people.officer)]
    assert f"signature-page for {people.officer.username}" in text


class TestOffered:
    def test_the_case_page_offers_only_templates_the_hook_allows(self, people, make_agreement, asked):
        from meridian.documents.selectors import templates_for

        draft = make_agreement(state="draft")
        offered = {t.code for t in templates_for(subject=draft, user=people.officer)}
        assert "signature-page" not in offered and "agreement-draft" in offered
        active = make_agreement(state="active")
        assert "signature-page" in {t.code for t in templates_for(subject=active, user=people.officer)}
