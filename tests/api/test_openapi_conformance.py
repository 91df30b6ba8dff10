"""Property-based tests of the whole REST API against its own OpenAPI document (schemathesis).

Every operation of ``/api/v1/openapi.json`` is called as an International Office officer (token
authentication) with requests generated from the document, on demo-like data made by the factories:
a fixed number of examples per operation and a fixed seed (``derandomize``), so a run is bounded and repeats
itself exactly. Each answer must be no server error, must match the documented schema and content type, and
must carry a documented status code. Path ids are drawn from the generated values and, for part of the
examples, from the records made here, so that detail operations answer 200 as well as 404.

Failures of all operations are collected and reported together (operation, request, check message).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, strategies
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from meridian.accounts.tokens.services import api_token_create
from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.tests.factories import PartnerContactFactory, PartnerFactory
from meridian.reference.tests.factories import country
from meridian.travel.tests.factories import make_trip
from meridian.visitors.tests.factories import make_visit

# The WSGI application ends each request as a server does (``request_finished`` may close the database
# connection); outside a wrapping test transaction the next request simply opens a new one (PostgreSQL).
pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES_PER_OPERATION = 5
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]

# Operations left out of the run, each with the reason (keep this list short: fix the fault instead).
EXCLUDED: dict[tuple[str, str], str] = {}


def _records(org, people) -> dict[str, int]:
    """Demo-like records an officer sees; returns the id to use for each collection's ``{id}``."""
    germany = country("DE", "Germany", "德国", region_code="150", region_en="Europe", region_zh="欧洲")
    partners = [PartnerFactory(country=germany, owner_unit=org.intl_office) for _ in range(3)]
    PartnerContactFactory(partner=partners[0])
    agreement = AgreementFactory(
        responsible_unit=org.engineering,
        partners=partners[:2],
        state="active",
        home_coordinator=people.officer,
    )
    AgreementFactory(responsible_unit=org.humanities, partners=[partners[2]])
    trip = make_trip(unit=org.computing, applicant=people.staff, depart_on=datetime.date(2026, 5, 4))
    visit = make_visit(host_unit=org.engineering, host=people.coordinator)
    return {
        "partners": partners[0].pk,
        "agreements": agreement.pk,
        "countries": germany.pk,
        "trips": trip.pk,
        "visits": visit.pk,
    }


def _known_id(path: str, ids: dict[str, int]) -> int | None:
    for collection, pk in ids.items():
        if re.search(rf"/{collection}/\{{", path):
            return pk
    return None


def _run_operation(operation, *, token: str, ids: dict[str, int], failures: list[str]) -> None:
    app = operation.schema.app
    headers = {"Authorization": f"Token {token}"}
    strategy = operation.as_strategy()
    path_params = re.findall(r"\{(\w+)\}", operation.path)
    known = _known_id(operation.path, ids)
    if known is not None and path_params == ["id"]:
        # Half of the examples address a record that exists, the others whatever was generated.
        strategy = strategies.one_of(strategy, operation.as_strategy(path_parameters={"id": known}))

    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @hypothesis.given(case=strategy)
    def check(case: Any) -> None:
        response = case.call(app=app, headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        check()
    except (Exception, BaseExceptionGroup) as error:  # every failure is reported with its operation
        failures.append(f"{operation.method.upper()} {operation.path}: {error}")


@pytest.fixture
def openapi(people) -> Iterator[Any]:
    """The served OpenAPI document as a schemathesis schema calling the WSGI application directly.

    As Django's test client does, database connections are not closed at the end of each request, so the
    run keeps one connection instead of opening one per request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield _schema(people)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _schema(people) -> Any:
    client = APIClient()
    client.force_authenticate(people.officer)
    document = client.get("/api/v1/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    schema.app = get_wsgi_application()
    return schema


def test_every_operation_conforms_to_the_openapi_document(org, people, openapi):
    ids = _records(org, people)
    token = api_token_create(user=people.officer, name="conformance", days=1)[1]
    failures: list[str] = []
    ran = 0
    for result in openapi.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        _run_operation(operation, token=token, ids=ids, failures=failures)
        ran += 1
    assert ran > 50  # the whole document, not an empty one
    assert not failures, "\n\n".join(failures)
