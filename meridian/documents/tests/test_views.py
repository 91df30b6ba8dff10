"""The pages: the agreement's documents panel, generating, downloading, revoking, templates, verifying."""

import hashlib

import pytest
from django.urls import reverse

from meridian.documents import services
from meridian.documents.models import (
    DocumentEvent,
    DocumentTemplate,
    DocumentTemplateVersion,
    GeneratedDocument,
)

pytestmark = pytest.mark.django_db


def _current(template: DocumentTemplate) -> DocumentTemplateVersion:
    version = template.current_version
    assert version is not None
    return version


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _generate(agreement, actor, code="signature-page"):
    return services.document_generate(template_code=code, subject=agreement, actor=actor)


class TestAgreementPage:
    def test_officer_sees_generate_buttons_and_generates(self, client, people, signed_agreement):
        client.force_login(people.officer)
        page = client.get(signed_agreement.get_absolute_url())
        html = page.content.decode()
        assert 'id="generated-documents"' in html
        assert "Agreement draft" in html and "Signature page" in html
        assert reverse("documents:batch") in html
        url = reverse("documents:generate", args=["agreement", signed_agreement.pk])
        response = client.post(url, {"template": "signature-page", "language": "bilingual"})
        assert response.status_code == 302
        assert response.url.endswith("#generated-documents")
        document = GeneratedDocument.objects.get()
        page = client.get(signed_agreement.get_absolute_url()).content.decode()
        assert document.serial in page
        assert reverse("documents:download", args=[document.pk]) in page

    def test_coordinator_generates_only_while_draft(self, client, people, make_agreement):
        draft, active = make_agreement(), make_agreement(state="active")
        client.force_login(people.coordinator)
        assert "Agreement draft" in client.get(draft.get_absolute_url()).content.decode()
        active_page = client.get(active.get_absolute_url()).content.decode()
        assert reverse("documents:generate", args=["agreement", active.pk]) not in active_page
        response = client.post(
            reverse("documents:generate", args=["agreement", active.pk]),
            {"template": "agreement-draft"},
            follow=True,
        )
        assert "You may not generate documents for this case." in response.content.decode()
        assert not GeneratedDocument.objects.exists()

    def test_staff_sees_documents_but_no_buttons(self, client, people, signed_agreement):
        document = _generate(signed_agreement, people.officer)
        client.force_login(people.staff)
        html = client.get(signed_agreement.get_absolute_url()).content.decode()
        assert document.serial in html
        assert reverse("documents:generate", args=["agreement", signed_agreement.pk]) not in html

    def test_generate_for_invisible_case_is_404(self, client, people, make_agreement, org):
        hidden = make_agreement(unit=org.engineering)
        client.force_login(people.other_coordinator)
        url = reverse("documents:generate", args=["agreement", hidden.pk])
        assert client.post(url, {"template": "agreement-draft"}).status_code == 404
        assert client.post(reverse("documents:generate", args=["nothing", hidden.pk]), {}).status_code == 404

    def test_external_next_is_ignored(self, client, people, agreement):
        client.force_login(people.officer)
        url = reverse("documents:generate", args=["agreement", agreement.pk])
        response = client.post(url, {"template": "agreement-draft", "next": "https://evil.example/"})
        assert response.url.startswith(agreement.get_absolute_url())


class TestDownload:
    def test_download_is_the_stored_file_and_logged(self, client, people, signed_agreement):
        document = _generate(signed_agreement, people.officer)
        client.force_login(people.staff)
        response = client.get(reverse("documents:download", args=[document.pk]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == document.sha256
        assert response["Content-Type"] == "application/pdf"
        assert f'filename="{document.serial}.pdf"' in response["Content-Disposition"]
        assert (
            DocumentEvent.objects.filter(document=document, kind="downloaded", actor=people.staff).count()
            == 1
        )

    @pytest.mark.parametrize("who", ["other_coordinator", "student", "outsider"])
    def test_others_get_404_and_nothing_logged(self, client, people, signed_agreement, who):
        document = _generate(signed_agreement, people.officer)
        client.force_login(getattr(people, who))
        assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
        assert client.get(reverse("documents:detail", args=[document.pk])).status_code == 404
        assert not DocumentEvent.objects.filter(kind="downloaded").exists()

    def test_anonymous_is_sent_to_sign_in(self, client, people, signed_agreement):
        document = _generate(signed_agreement, people.officer)
        response = client.get(reverse("documents:download", args=[document.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response.url


class TestDetailAndRevoke:
    def test_detail_shows_verification_address_and_log(self, client, people, signed_agreement):
        document = _generate(signed_agreement, people.officer)
        client.force_login(people.officer)
        html = client.get(document.get_absolute_url()).content.decode()
        assert document.verify_url in html and document.sha256 in html and "Revoke" in html

    def test_officer_revokes_from_the_page(self, client, people, signed_agreement):
        document = _generate(signed_agreement, people.officer)
        client.force_login(people.officer)
        client.post(reverse("documents:revoke", args=[document.pk]), {"reason": "Superseded"})
        document.refresh_from_db()
        assert document.is_revoked
        verify = client.get(document.verify_path).content.decode()
        assert "This document has been revoked." in verify

    def test_staff_cannot_revoke(self, client, people, signed_agreement):
        document = _generate(signed_agreement, people.officer)
        client.force_login(people.staff)
        assert "Revoke" not in client.get(document.get_absolute_url()).content.decode()
        client.post(reverse("documents:revoke", args=[document.pk]), {"reason": "x"})
        document.refresh_from_db()
        assert not document.is_revoked


class TestVerify:
    def test_shows_only_the_public_facts_with_the_name_masked(self, client, people, signed_agreement):
        document = _generate(signed_agreement, people.officer)
        response = client.get(document.verify_path)  # no login
        assert response.status_code == 200
        html = response.content.decode()
        for shown in (
            document.serial,
            "Signature page",
            "协议签字页",
            "Department of Computing",
            "计算机系",
            document.issued_on.isoformat(),
            document.valid_until.isoformat(),
            "Heid****** Univ******",
            document.sha256,
        ):
            assert shown in html
        for hidden in (
            "Heidelberg University",
            signed_agreement.number,
            signed_agreement.title_en,
            "Klaus Weber",
            "王建",
            reverse("documents:download", args=[document.pk]),
            signed_agreement.get_absolute_url(),
        ):
            assert hidden not in html
        assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "same-origin"

    def test_chinese_page(self, client, people, signed_agreement):
        document = _generate(signed_agreement, people.officer)
        html = client.get(document.verify_path, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert 'lang="zh-hans"' in html and "Heid****** Univ******" in html and document.serial in html

    def test_wrong_token_and_unknown_serial_look_the_same(self, client, people, signed_agreement):
        document = _generate(signed_agreement, people.officer)
        wrong = client.get(reverse("documents:verify", args=[document.serial, "x" * 32]))
        unknown = client.get(reverse("documents:verify", args=["2099-XX-00001", document.token]))
        assert wrong.status_code == unknown.status_code == 404
        assert _main(wrong) == _main(unknown)
        assert document.serial not in _main(wrong)
        assert "No document matches this verification address." in wrong.content.decode()


class TestTemplateEditor:
    def test_administrator_edits_and_a_version_is_made(self, client, people):
        template = DocumentTemplate.objects.get(code="signature-page")
        client.force_login(people.admin)
        listing = client.get(reverse("documents:template_list")).content.decode()
        assert "signature-page" in listing
        detail = client.get(template.get_absolute_url()).content.decode()
        assert "partner_signatories" in detail and "document.serial" in detail  # the documented fields
        response = client.post(
            template.get_absolute_url(),
            {"body_bilingual": "<h1>{{ number }} 签字页</h1>", "comment": "Short"},
        )
        assert response.status_code == 302
        template.refresh_from_db()
        assert _current(template).number == 2
        old = client.get(reverse("documents:template_version", args=[template.pk, 1])).content.decode()
        assert "partner_signatories" in old

    def test_invalid_text_shows_the_reason_and_keeps_the_input(self, client, people):
        template = DocumentTemplate.objects.get(code="signature-page")
        client.force_login(people.admin)
        response = client.post(template.get_absolute_url(), {"body_bilingual": "<p>{{ passport_no }}</p>"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Unknown field: passport_no" in html and "{{ passport_no }}" in html
        template.refresh_from_db()
        assert _current(template).number == 1

    def test_create_from_the_page(self, client, people):
        client.force_login(people.admin)
        response = client.post(
            reverse("documents:template_create"),
            {
                "code": "notice",
                "source": "agreement",
                "name_en": "Notice",
                "name_zh": "通知",
                "kind": "notice",
                "languages": "zh",
                "fmt": "pdf",
                "serial_pattern": "{year}-{code}-{seq:04d}",
                "body_zh": "<p>关于{{ title_zh }}的通知</p>",
            },
        )
        assert response.status_code == 302
        template = DocumentTemplate.objects.get(code="notice")
        assert _current(template).bodies == {"zh": "<p>关于{{ title_zh }}的通知</p>"}

    def test_preview_renders_example_data(self, client, people):
        template = DocumentTemplate.objects.get(code="agreement-draft")
        client.force_login(people.admin)
        response = client.get(reverse("documents:template_preview", args=[template.pk, 1]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        assert not GeneratedDocument.objects.exists()

    @pytest.mark.parametrize("who", ["officer", "coordinator", "leadership", "staff", "outsider"])
    def test_template_pages_are_404_for_others(self, client, people, who):
        template = DocumentTemplate.objects.get(code="signature-page")
        client.force_login(getattr(people, who))
        assert client.get(reverse("documents:template_list")).status_code == 404
        assert client.get(template.get_absolute_url()).status_code == 404
        assert client.post(template.get_absolute_url(), {"body_bilingual": "x"}).status_code == 404
        assert client.get(reverse("documents:template_create")).status_code == 404


class TestBatchPage:
    def test_officer_starts_a_batch_and_lands_on_the_job(self, client, people, make_agreement):
        make_agreement(state="active")
        client.force_login(people.officer)
        assert client.get(reverse("documents:batch")).status_code == 200
        response = client.post(
            reverse("documents:batch"), {"template": "signature-page", "language": "bilingual"}
        )
        assert response.status_code == 302 and response.url.startswith("/jobs/")

    def test_coordinator_gets_404(self, client, people):
        client.force_login(people.coordinator)
        assert client.get(reverse("documents:batch")).status_code == 404
