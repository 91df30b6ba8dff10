"""Roles × editor actions from one table: officers and administrators edit, everyone else gets 404."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from meridian.portal.models import Article
from meridian.portal.permissions import can_edit_articles, can_view_article
from meridian.portal.tests.factories import ArticleFactory

EDITORS = {"admin", "officer"}
ROLES = ["admin", "officer", "coordinator", "other_coordinator", "staff", "student", "leadership", "outsider"]


def _actions(article: Article) -> list[tuple[str, str, dict]]:
    with translation.override("en"):
        return [
            ("get", reverse("portal:manage_list"), {}),
            ("get", reverse("portal:manage_create"), {}),
            ("get", reverse("portal:manage_edit", args=[article.pk]), {}),
            ("get", reverse("portal:manage_preview", args=[article.pk]), {}),
            ("post", reverse("portal:manage_publish", args=[article.pk]), {"publish_at": ""}),
            ("post", reverse("portal:manage_unpublish", args=[article.pk]), {}),
        ]


@pytest.mark.parametrize("role", ROLES)
def test_editor_pages_by_role(client, people, role):
    user = getattr(people, role)
    article = ArticleFactory(status="draft", publish_at=None)
    client.force_login(user)
    for method, address, data in _actions(article):
        response = getattr(client, method)(address, data)
        if role in EDITORS:
            assert response.status_code in (200, 302), (role, address)
        else:
            assert response.status_code == 404, (role, address)
    article.refresh_from_db()
    # The editors' publish-then-unpublish leaves a draft with a new version; nobody else changed anything.
    assert article.version == (3 if role in EDITORS else 1)


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    article = ArticleFactory()
    for method, address, data in _actions(article):
        response = getattr(client, method)(address, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_rules_by_role(people, role):
    user = getattr(people, role)
    draft = ArticleFactory(status="draft", publish_at=None)
    live = ArticleFactory(publish_at=timezone.now() - timezone.timedelta(minutes=5))
    assert can_edit_articles(user) is (role in EDITORS)
    assert can_view_article(user, draft) is (role in EDITORS)
    assert can_view_article(user, live) is True
