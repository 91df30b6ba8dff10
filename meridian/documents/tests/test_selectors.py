"""Reads: the public facts of a document, a case's documents and templates per user."""

import dataclasses
import threading

import pytest
from django.db import connection

from meridian.documents import selectors, services
from meridian.documents.models import GeneratedDocument

pytestmark = pytest.mark.django_db


def test_public_facts_are_exactly_the_allowed_ones(people, signed_agreement):
    document = services.document_generate(
        template_code="signature-page", subject=signed_agreement, actor=people.officer
    )
    facts = selectors.document_verify(serial=document.serial, token=document.token)
    assert facts is not None
    assert {f.name for f in dataclasses.fields(facts)} == {
        "serial", "kind_label", "title_en", "title_zh", "issued_on", "issuing_unit", "issuing_unit_zh",
        "valid_until", "holder_masked", "sha256", "revoked", "revoked_on",
    }  # fmt: skip
    assert facts.holder_masked == "Heid****** Univ******"
    assert facts.valid_until == signed_agreement.end_date and not facts.revoked


def test_wrong_or_missing_token_gives_nothing(people, signed_agreement):
    document = services.document_generate(
        template_code="signature-page", subject=signed_agreement, actor=people.officer
    )
    assert selectors.document_verify(serial=document.serial, token="") is None
    assert selectors.document_verify(serial=document.serial, token=document.token[:-1] + "x") is None
    assert selectors.document_verify(serial="unknown", token=document.token) is None


def test_case_documents_per_user(people, make_agreement):
    draft = make_agreement()
    services.document_generate(template_code="agreement-draft", subject=draft, actor=people.coordinator)
    for_coordinator = selectors.case_documents(subject=draft, user=people.coordinator)
    assert len(for_coordinator.documents) == 1 and for_coordinator.can_view
    assert {t.code for t in for_coordinator.templates} == {
        "agreement-draft",
        "signature-page",
        "agreement-draft-docx",
    }
    for_staff = selectors.case_documents(subject=draft, user=people.staff)
    assert len(for_staff.documents) == 1 and for_staff.templates == []
    for_student = selectors.case_documents(subject=draft, user=people.student)
    assert not for_student.shown and for_student.documents == []


def test_case_documents_query_count_does_not_grow(people, make_agreement, django_assert_max_num_queries):
    draft = make_agreement()
    for _ in range(4):
        services.document_generate(template_code="signature-page", subject=draft, actor=people.officer)
    with django_assert_max_num_queries(12):
        docs = selectors.case_documents(subject=draft, user=people.officer)
        assert [d.template_version.number for d in docs.documents] == [1, 1, 1, 1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_generation_never_repeats_a_serial(people, signed_agreement):
    errors: list[BaseException] = []

    def generate() -> None:
        try:
            services.document_generate(
                template_code="signature-page", subject=signed_agreement, actor=people.officer
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=generate) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    serials = list(GeneratedDocument.objects.values_list("serial", flat=True))
    assert len(serials) == 4 == len(set(serials))
