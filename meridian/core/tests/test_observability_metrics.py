"""``/metrics``: off without a token, 401/403 in the API's error shape for a missing or wrong token, and the
request counters, latencies and registered gauges in Prometheus text format for the right one."""

import pytest
from django.test import Client, override_settings
from prometheus_client.parser import text_string_to_metric_families

from meridian.core.registry import MetricGauge, registry

TOKEN = "metrics-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def scrape(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def sample(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def client(db):
    return Client()


@override_settings(METRICS_TOKEN="")
def test_without_a_token_setting_the_endpoint_does_not_exist(client):
    assert client.get("/metrics", headers=AUTH).status_code == 404


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", f"Basic {TOKEN}", TOKEN])
def test_a_missing_token_is_401(client, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert response.json()["error"]["code"] == "not_authenticated"


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize("given", [TOKEN[:-1], TOKEN + "x", TOKEN.upper(), "x"])
def test_a_wrong_token_is_403(client, given):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {given}"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert b"meridian_http_requests" not in response.content


@override_settings(METRICS_TOKEN=TOKEN)
def test_only_get(client):
    assert client.post("/metrics", headers=AUTH).status_code == 405


@override_settings(METRICS_TOKEN=TOKEN)
def test_request_counters_and_latencies_go_up(client):
    before = scrape(client)
    for _ in range(3):
        client.get("/healthz")
    client.get("/api/v1/no-such-thing/")
    after = scrape(client)

    def delta(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert delta("meridian_http_requests_total", method="GET", view="healthz", status="2xx") == 3
    assert delta("meridian_http_requests_total", method="GET", view="unresolved", status="4xx") == 1
    assert delta("meridian_http_requests_total", method="GET", view="metrics", status="2xx") == 1
    assert delta("meridian_http_request_duration_seconds_count", view="healthz") == 3
    assert delta("meridian_http_request_duration_seconds_bucket", view="healthz", le="+Inf") == 3
    assert sample(after, "meridian_build_info", version=__import__("meridian").__version__) == 1


@override_settings(METRICS_TOKEN=TOKEN)
def test_registered_gauges_are_read_at_each_scrape_and_a_broken_one_hides_nothing(client):
    figures = {"a": 2.0}

    def broken():
        raise RuntimeError("database gone")

    registry.metric_gauges.add(
        MetricGauge(
            key="test_things",
            help="Things.",
            labels=("kind",),
            samples=lambda: [((kind,), value) for kind, value in figures.items()],
        )
    )
    registry.metric_gauges.add(MetricGauge(key="test_broken", help="Broken.", samples=broken))
    try:
        first = scrape(client)
        figures["b"] = 5
        second = scrape(client)
    finally:
        registry.metric_gauges.remove("test_things")
        registry.metric_gauges.remove("test_broken")
    assert sample(first, "meridian_test_things", kind="a") == 2
    assert sample(second, "meridian_test_things", kind="b") == 5
    assert ("meridian_test_broken", ()) not in second
    assert sample(second, "meridian_metric_read_errors") == 1
    assert sample(second, "meridian_http_requests_total", method="GET", view="metrics", status="2xx") >= 1


MULTIPROCESS_SCRIPT = """
import os, sys
os.environ["PROMETHEUS_MULTIPROC_DIR"] = sys.argv[1]
# No Django set-up: the apps register no gauges, so nothing here reads a database.
from meridian.core.observability.metrics import observe_request, render
for count in (2, 3):  # two web workers, each answering some requests
    pid = os.fork()
    if pid == 0:
        for _ in range(count):
            observe_request(method="GET", view="healthz", status=200, seconds=0.2)
        os._exit(0)
    os.waitpid(pid, 0)
sys.stdout.write(render().decode())
"""


def test_figures_of_all_worker_processes_are_added_up(tmp_path):
    """Under gunicorn (PROMETHEUS_MULTIPROC_DIR set) any worker's scrape reports every worker's requests."""
    import subprocess
    import sys

    folder = tmp_path / "metrics"
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", MULTIPROCESS_SCRIPT, str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(done.stdout)
        for s in family.samples
    }
    assert sample(samples, "meridian_http_requests_total", method="GET", view="healthz", status="2xx") == 5
    assert sample(samples, "meridian_http_request_duration_seconds_count", view="healthz") == 5
    assert sample(samples, "meridian_http_request_duration_seconds_bucket", view="healthz", le="0.25") == 5
    assert len(list(folder.glob("*.db"))) >= 2  # one file per process and metric kind
