"""The API under a schema-driven fuzzer (reduced form of `make fuzz`, SPEC §8 Robustness).

Every operation of /api/schema/ gets a few generated requests, valid and invalid, as three roles
(an official, a company's staff, a resident), straight through the WSGI application: no server
needed. Checks: no 5xx, and every documented response matches its schema. The full form (every
demo role, more examples, gunicorn with production settings and the demo data) is `make fuzz`.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 2
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def api_schema():
    # As Django's own test client does: the WSGI handler must not close the connection that holds
    # the test's transaction at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def fuzz(schema, headers: dict) -> list[str]:
    """Run every operation with a few positive and negative cases; return one line per failing operation."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
                report_multiple_bugs=False,
            )
            def run(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # collect them all: one report lists every failing operation
                detail = " ".join(str(exc).split())[:700]
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {detail}")
                break
    return failures


@pytest.mark.parametrize("role", ["district", "staff_yifang", "resident_fulian"])
def test_every_operation_answers_without_server_errors_and_as_documented(world, api_schema, role):
    token = RefreshToken.for_user(getattr(world, role)).access_token
    failures = fuzz(api_schema, {"Authorization": f"Bearer {token}"})
    assert not failures, f"{len(failures)} failing operations as {role}:\n" + "\n".join(failures)
