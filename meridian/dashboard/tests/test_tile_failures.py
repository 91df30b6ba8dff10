"""One dashboard tile failing (its values or its template) never breaks the page: the tile shows a short
notice, the error is logged, and every other tile is shown as usual."""

import logging

import pytest
from django.urls import reverse

from meridian.core.registry import DashboardTile, registry
from meridian.dashboard.selectors import dashboard_for

URL = reverse("dashboard:home")
NOTICE = "This section cannot be shown at the moment."


def _broken(user):
    raise RuntimeError("tile values exploded")


def _hidden_check(user):
    raise RuntimeError("visibility exploded")


@pytest.fixture
def broken_tiles():
    tiles = [
        DashboardTile(key="zz_broken_card", title="Broken card", template="x.html", context=_broken, order=1),
        DashboardTile(
            key="zz_broken_stat", title="Broken figure", template="", context=_broken, order=1, kind="stat"
        ),
        DashboardTile(
            key="zz_broken_template",
            title="Card with a missing template",
            template="dashboard/tiles/no_such_template.html",
            context=lambda user: {},
            order=2,
        ),
        DashboardTile(
            key="zz_broken_check", title="Never shown", template="x.html", context=dict, visible=_hidden_check
        ),
    ]
    for tile in tiles:
        registry.dashboard_tiles.add(tile)
    yield
    for tile in tiles:
        registry.dashboard_tiles.remove(tile.key)


def test_failing_tiles_become_notices_and_the_page_still_answers(client, people, broken_tiles, caplog):
    client.force_login(people.officer)
    with caplog.at_level(logging.ERROR, logger="meridian.dashboard.selectors"):
        response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    card = html.split('id="tile-zz_broken_card"')[1].split("</section>")[0]
    assert "Broken card" in card and NOTICE in card
    template_card = html.split('id="tile-zz_broken_template"')[1].split("</section>")[0]
    assert "Card with a missing template" in template_card and NOTICE in template_card
    stat = html.split('id="stat-zz_broken_stat"')[1].split("</div>")[0]
    assert "Broken figure" in stat and "Not available at the moment." in stat
    assert "Never shown" not in html
    # The other tiles are there as usual.
    assert 'id="recent-activity' in html or "Recent activity" in html
    logged = {record.getMessage() for record in caplog.records}
    assert any("zz_broken_card" in message for message in logged)
    assert any("zz_broken_template" in message for message in logged)
    assert any("zz_broken_check" in message for message in logged)
    assert all(record.exc_info for record in caplog.records if "zz_broken" in record.getMessage())


def test_selector_marks_the_failed_tile(people, broken_tiles):
    board = dashboard_for(user=people.officer)
    failed = {tile.key for tile in [*board.stats, *board.cards] if tile.failed}
    assert failed == {"zz_broken_card", "zz_broken_stat"}
    assert "activity" in {tile.key for tile in board.cards}
