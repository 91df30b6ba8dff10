"""Templates and their versions, generating documents, serial numbers, hashes, QR codes, revoking, batches."""

import hashlib
import io
import re
from unittest import mock

import pytest
import segno
from django.conf import settings
from docx import Document

from meridian.core.errors import PermissionDeniedError
from meridian.core.models import Activity
from meridian.documents import rendering, services
from meridian.documents.batches import document_batch_start
from meridian.documents.models import (
    DocumentEvent,
    DocumentTemplate,
    DocumentTemplateVersion,
    GeneratedDocument,
    SerialCounter,
)
from meridian.documents.services import DocumentError
from meridian.documents.tests.helpers import docx_text, pdf_fonts, pdf_link_targets, pdf_text, read
from meridian.jobs.models import JobRun

pytestmark = pytest.mark.django_db


def _current(template: DocumentTemplate) -> DocumentTemplateVersion:
    version = template.current_version
    assert version is not None
    return version


def _letter(admin, **overrides):
    fields = {
        "actor": admin,
        "code": "partner-letter",
        "source": "agreement",
        "name_en": "Letter to the partner",
        "name_zh": "致合作方函",
        "kind": "letter",
        "languages": "en_zh",
        "bodies": {
            "en": "<p>Dear colleagues at {{ parties[0].name_en }},</p>",
            "zh": "<p>{{ parties[0].name_zh }}：</p>",
        },
    }
    fields.update(overrides)
    return services.document_template_create(**fields)


class TestDefaults:
    def test_defaults_are_installed_and_never_overwritten(self, people):
        codes = set(DocumentTemplate.objects.values_list("code", flat=True))
        assert {"agreement-draft", "signature-page", "agreement-draft-docx"} <= codes
        draft = DocumentTemplate.objects.get(code="agreement-draft")
        services.document_template_save_version(
            template=draft,
            actor=people.admin,
            bodies={"bilingual": "<h1>{{ number }}</h1>"},
            comment="shorter",
        )
        assert services.document_templates_install_defaults() == []
        draft.refresh_from_db()
        assert _current(draft).number == 2
        assert _current(draft).bodies == {"bilingual": "<h1>{{ number }}</h1>"}


class TestVersioning:
    def test_each_save_is_a_new_version_and_old_ones_stay(self, people):
        template = _letter(people.admin)
        v2 = services.document_template_save_version(
            template=template,
            actor=people.admin,
            bodies={"en": "<p>Hello {{ number }}</p>", "zh": "<p>您好 {{ number }}</p>"},
        )
        assert v2.number == 2
        assert template.versions.count() == 2
        first = template.versions.get(number=1)
        assert first.bodies["en"].startswith("<p>Dear colleagues")
        template.refresh_from_db()
        assert template.current_version == v2

    def test_documents_keep_the_version_they_were_made_with(self, people, agreement):
        template = _letter(people.admin)
        doc1 = services.document_generate(
            template_code=template.code, subject=agreement, actor=people.officer
        )
        services.document_template_save_version(
            template=template,
            actor=people.admin,
            bodies={"en": "<p>New text {{ number }}</p>", "zh": "<p>新 {{ number }}</p>"},
        )
        doc2 = services.document_generate(
            template_code=template.code, subject=agreement, actor=people.officer
        )
        assert (doc1.template_version.number, doc2.template_version.number) == (1, 2)
        assert "New text" in pdf_text(read(doc2)) and "New text" not in pdf_text(read(doc1))

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ("<p>{{ passport_number }}</p>", "Unknown field: passport_number"),
            ("<p>{% if number %}</p>", "Syntax error"),
            ("<p>{{ ''.__class__ }}</p>", "Unknown field"),
            ("<p>{{ number.upper() }}</p>", "calling functions is not allowed"),
            ("<p>{{ parties[0].passport }}</p>", "Unknown field"),
        ],
    )
    def test_invalid_text_is_refused_and_nothing_is_stored(self, people, body, message):
        template = _letter(people.admin)
        with pytest.raises(DocumentError, match=message):
            services.document_template_save_version(
                template=template, actor=people.admin, bodies={"en": body, "zh": "<p>{{ number }}</p>"}
            )
        assert template.versions.count() == 1
        template.refresh_from_db()
        assert _current(template).number == 1

    def test_invalid_new_template_stores_nothing(self, people):
        before = DocumentTemplate.objects.count()
        with pytest.raises(DocumentError, match="Chinese text"):
            _letter(people.admin, bodies={"en": "<p>{{ number }}</p>", "zh": "{{ nope }}"})
        assert DocumentTemplate.objects.count() == before
        assert not DocumentTemplateVersion.objects.filter(template__code="partner-letter").exists()

    def test_unchanged_text_is_not_a_new_version(self, people):
        template = _letter(people.admin)
        with pytest.raises(DocumentError, match="Nothing has changed"):
            services.document_template_save_version(
                template=template, actor=people.admin, bodies=dict(_current(template).bodies)
            )

    def test_only_administrators_edit_templates(self, people):
        template = _letter(people.admin)
        for user in (people.officer, people.coordinator, people.leadership):
            with pytest.raises(PermissionDeniedError):
                services.document_template_save_version(
                    template=template, actor=user, bodies={"en": "x", "zh": "y"}
                )
            with pytest.raises(PermissionDeniedError):
                _letter(user, code="other")

    @pytest.mark.parametrize(
        "pattern", ["{year}-{code}", "{seq.__class__}", "{year}/{seq}", "{seq!r}", "{name}-{seq}"]
    )
    def test_bad_serial_schemes_are_refused(self, people, pattern):
        with pytest.raises(DocumentError):
            _letter(people.admin, serial_pattern=pattern)


class TestDocx:
    def test_uploaded_docx_is_checked_by_content_and_fields(self, people):
        with pytest.raises(DocumentError, match="not a Word document"):
            _letter(people.admin, languages="en", fmt="docx", bodies={}, docx=b"%PDF-1.4 not a docx")
        doc = Document()
        doc.add_paragraph("{{ unknown_field }}")
        out = io.BytesIO()
        doc.save(out)
        with pytest.raises(DocumentError, match="Unknown field"):
            _letter(people.admin, languages="en", fmt="docx", bodies={}, docx=out.getvalue())
        assert not DocumentTemplate.objects.filter(code="partner-letter").exists()

    def test_default_docx_draft_is_filled_in_with_its_qr_code(self, people, agreement):
        document = services.document_generate(
            template_code="agreement-draft-docx", subject=agreement, actor=people.officer
        )
        data = read(document)
        text = docx_text(data)
        assert agreement.number in text and "海德堡大学" in text and "Heidelberg University" in text
        assert document.verify_url in text
        assert len(Document(io.BytesIO(data)).inline_shapes) == 1  # the QR code
        assert document.fmt == "docx" and document.filename.endswith(".docx")


class TestGenerate:
    def test_bilingual_draft_pdf_has_chinese_text_cjk_fonts_and_the_data(self, people, agreement):
        document = services.document_generate(
            template_code="agreement-draft", subject=agreement, actor=people.officer
        )
        data = read(document)
        assert data.startswith(b"%PDF")
        text = pdf_text(data)
        for expected in (
            "与海德堡大学学生交流协议",
            "Student exchange agreement with Heidelberg",
            agreement.number,
            "子午线大学",
            "Meridian University",
            "海德堡大学",
            "Klaus Weber",
            "王建",
            "2025年1月1日",
            "1 January 2030",
        ):
            assert expected in text
        assert any("NotoSerifCJK" in f.replace("-", "") or "Noto-Serif-CJK-SC" in f for f in pdf_fonts(data))
        assert any("Noto-Sans-CJK-SC" in f or "NotoSansCJK" in f for f in pdf_fonts(data))

    def test_stored_sha256_is_the_hash_of_the_file_and_it_is_private(self, people, agreement):
        document = services.document_generate(
            template_code="signature-page", subject=agreement, actor=people.officer
        )
        data = read(document)
        assert document.sha256 == hashlib.sha256(data).hexdigest()
        assert document.size == len(data)
        path = document.file.path
        assert path.startswith(str(settings.PRIVATE_STORAGE_ROOT))
        assert not path.startswith(str(settings.MEDIA_ROOT))

    def test_record_carries_issue_data(self, people, agreement):
        document = services.document_generate(
            template_code="signature-page", subject=agreement, actor=people.officer
        )
        assert document.subject == agreement
        assert document.issuing_unit == "Department of Computing" and document.issuing_unit_zh == "计算机系"
        assert document.holder_name == "Heidelberg University"
        assert document.valid_until == agreement.end_date  # the signature page has a validity
        assert (
            document.template_version == DocumentTemplate.objects.get(code="signature-page").current_version
        )
        assert document.language == "bilingual"
        assert DocumentEvent.objects.filter(
            document=document, kind="generated", actor=people.officer
        ).exists()
        assert Activity.objects.filter(verb="document_generated", object_id=agreement.pk).exists()

    def test_qr_code_and_link_carry_the_verification_url(self, people, agreement):
        with mock.patch.object(services, "qr_svg_data_uri", wraps=rendering.qr_svg_data_uri) as spy:
            document = services.document_generate(
                template_code="agreement-draft", subject=agreement, actor=people.officer
            )
        url = document.verify_url
        assert url == f"{settings.SITE_URL}/documents/verify/{document.serial}/{document.token}/"
        spy.assert_called_once_with(url)
        # The QR matrix drawn in the PDF is the one segno builds from exactly this URL.
        qr = segno.make(url, error="m", micro=False)
        assert qr.designator.endswith("-M")
        assert rendering.qr_svg_data_uri(url) == qr.svg_data_uri(scale=4, border=2)
        data = read(document)
        assert all(url in targets for targets in pdf_link_targets(data))  # every page links to it
        assert url in pdf_text(data)

    def test_token_is_unguessable_and_distinct(self, people, agreement):
        docs = [
            services.document_generate(
                template_code="signature-page", subject=agreement, actor=people.officer
            )
            for _ in range(3)
        ]
        tokens = {d.token for d in docs}
        assert len(tokens) == 3 and all(len(t) >= 32 for t in tokens)

    def test_language_and_format_must_be_offered(self, people, agreement):
        with pytest.raises(DocumentError, match="language"):
            services.document_generate(
                template_code="agreement-draft", subject=agreement, actor=people.officer, language="en"
            )
        with pytest.raises(DocumentError, match="produces"):
            services.document_generate(
                template_code="agreement-draft", subject=agreement, actor=people.officer, fmt="docx"
            )
        with pytest.raises(DocumentError, match="no active document template"):
            services.document_generate(template_code="nope", subject=agreement, actor=people.officer)
        assert not GeneratedDocument.objects.exists()

    def test_twins_generate_in_either_language(self, people, agreement):
        _letter(people.admin)
        en = services.document_generate(
            template_code="partner-letter", subject=agreement, actor=people.officer, language="en"
        )
        zh = services.document_generate(
            template_code="partner-letter", subject=agreement, actor=people.officer, language="zh"
        )
        assert "Dear colleagues at Heidelberg University" in pdf_text(read(en))
        assert "海德堡大学：" in pdf_text(read(zh))

    def test_template_failing_on_the_case_data_stores_nothing(self, people, agreement):
        _letter(people.admin, bodies={"en": "{{ parties[0].name_en }}", "zh": "{{ parties[0].name_zh }}"})
        agreement.parties.all().delete()
        with pytest.raises(DocumentError, match="cannot be filled in"):
            services.document_generate(
                template_code="partner-letter", subject=agreement, actor=people.officer, language="en"
            )
        assert not GeneratedDocument.objects.exists()
        assert not SerialCounter.objects.filter(last__gt=0).exists()

    def test_refused_for_users_the_source_refuses(self, people, make_agreement):
        active = make_agreement(state="active")
        with pytest.raises(PermissionDeniedError):
            services.document_generate(
                template_code="agreement-draft", subject=active, actor=people.coordinator
            )
        with pytest.raises(PermissionDeniedError):
            services.document_generate(
                template_code="agreement-draft", subject=active, actor=people.leadership
            )
        assert not GeneratedDocument.objects.exists()

    def test_template_of_another_case_type_is_refused(self, people, partner):
        with pytest.raises(DocumentError, match="not for this kind of case"):
            services.document_generate(template_code="agreement-draft", subject=partner, actor=people.officer)


class TestSerials:
    def test_serials_follow_the_scheme_and_are_unique(self, people, agreement):
        docs = [
            services.document_generate(
                template_code="agreement-draft", subject=agreement, actor=people.officer
            )
            for _ in range(3)
        ]
        serials = [d.serial for d in docs]
        year = docs[0].issued_on.year
        assert serials == [f"{year}-AD-00001", f"{year}-AD-00002", f"{year}-AD-00003"]
        other = services.document_generate(
            template_code="signature-page", subject=agreement, actor=people.officer
        )
        assert other.serial == f"{year}-SP-00001"

    def test_a_changed_scheme_never_repeats_a_serial(self, people, agreement):
        template = DocumentTemplate.objects.get(code="signature-page")
        first = services.document_generate(
            template_code="signature-page", subject=agreement, actor=people.officer
        )
        services.document_template_update(
            template=template,
            actor=people.admin,
            name_en=template.name_en,
            name_zh=template.name_zh,
            serial_pattern="{year}-{code}-{seq:05d}",
            has_validity=True,
            is_active=True,
        )
        SerialCounter.objects.filter(template=template).update(last=0)  # e.g. a counter reset by hand
        second = services.document_generate(
            template_code="signature-page", subject=agreement, actor=people.officer
        )
        assert second.serial != first.serial
        assert re.fullmatch(r"\d{4}-SP-00002", second.serial)


class TestRevoke:
    def test_officer_revokes_with_reason(self, people, agreement):
        document = services.document_generate(
            template_code="signature-page", subject=agreement, actor=people.officer
        )
        with pytest.raises(DocumentError, match="reason"):
            services.document_revoke(document=document, actor=people.officer, reason="  ")
        services.document_revoke(document=document, actor=people.officer, reason="Wrong signatory")
        document.refresh_from_db()
        assert document.is_revoked and document.revoke_reason == "Wrong signatory"
        assert DocumentEvent.objects.filter(document=document, kind="revoked").exists()
        with pytest.raises(DocumentError, match="revoked already"):
            services.document_revoke(document=document, actor=people.officer, reason="again")

    @pytest.mark.parametrize("who", ["coordinator", "staff", "leadership", "student", "outsider"])
    def test_others_may_not_revoke(self, people, agreement, who):
        document = services.document_generate(
            template_code="signature-page", subject=agreement, actor=people.officer
        )
        with pytest.raises(PermissionDeniedError):
            services.document_revoke(document=document, actor=getattr(people, who), reason="no")
        document.refresh_from_db()
        assert not document.is_revoked


class TestBatch:
    def test_batch_generates_for_each_listed_case_and_reports_the_rest(
        self, people, make_agreement, django_capture_on_commit_callbacks
    ):
        ok = [make_agreement(state="active"), make_agreement(state="approved")]
        broken = make_agreement(state="active")
        broken.parties.all().delete()
        make_agreement(state="draft")  # not listed by the source's batch
        _letter(people.admin, code="strict", languages="en", bodies={"en": "{{ parties[0].name_en }}"})
        with django_capture_on_commit_callbacks(execute=True):
            job = document_batch_start(template_code="strict", language="en", actor=people.officer)
        job.refresh_from_db()
        assert job.state == JobRun.State.SUCCEEDED
        assert job.result["total"] == 3 and job.result["generated"] == 2
        assert len(job.result["problems"]) == 1 and broken.number in job.result["problems"][0]["case"]
        assert {d.object_id for d in GeneratedDocument.objects.all()} == {a.pk for a in ok}

    def test_only_officers_and_administrators_start_batches(self, people):
        with pytest.raises(PermissionDeniedError):
            document_batch_start(
                template_code="signature-page", language="bilingual", actor=people.coordinator
            )
