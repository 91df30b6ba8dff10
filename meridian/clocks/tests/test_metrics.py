"""Open and overdue deadline clocks on /metrics, by rule, whoever is responsible for them."""

from datetime import timedelta

from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from meridian.clocks.selectors import obligation_open_counts_by_rule
from meridian.clocks.services import obligation_meet

TOKEN = "metrics-token-0123456789"


def scrape() -> dict[tuple[str, tuple], float]:
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


@override_settings(METRICS_TOKEN=TOKEN)
def test_open_and_overdue_obligations_by_rule(open_clock, rule, org):
    assert obligation_open_counts_by_rule() == {}
    now = timezone.now()
    open_clock(due_at=now - timedelta(days=2), key="late")
    open_clock(due_at=now - timedelta(hours=1), key="just-late", subject=org.engineering)
    open_clock(due_at=now + timedelta(days=5), key="soon")
    obligation_meet(obligation=open_clock(due_at=now - timedelta(days=9), key="met"))

    samples = scrape()
    assert samples[("meridian_obligations_open", (("rule", rule),))] == 3
    assert samples[("meridian_obligations_overdue", (("rule", rule),))] == 2
    assert obligation_open_counts_by_rule(now=now + timedelta(days=6)) == {rule: (3, 3)}
