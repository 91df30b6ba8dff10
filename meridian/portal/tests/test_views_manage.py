from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from meridian.portal.models import Article
from meridian.portal.tests.factories import section


def url(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def _form(**extra) -> dict:
    data = {
        "section": section("news").pk, "slug": "visit", "kind": "news", "title_en": "Visit", "title_zh": "",
        "summary_en": "", "summary_zh": "", "body_en": "We have {partners} partners.", "body_zh": "",
        "author_name": "Office",
    }  # fmt: skip
    return {**data, **extra}


def test_create_then_edit_with_stale_version_refused(client, people):
    client.force_login(people.officer)
    response = client.post(url("portal:manage_create"), _form())
    article = Article.objects.get(slug="visit")
    assert response.status_code == 302 and article.status == "draft" and article.created_by == people.officer
    edit = url("portal:manage_edit", article.pk)
    assert client.post(edit, _form(title_en="Visit 2", version=1)).status_code == 302
    stale = client.post(edit, _form(title_en="Visit 3", version=1))
    assert stale.status_code == 409 and "Someone else saved this record" in stale.content.decode()
    article.refresh_from_db()
    assert article.title_en == "Visit 2"


def test_unknown_placeholder_is_shown_on_the_form(client, people):
    client.force_login(people.officer)
    response = client.post(url("portal:manage_create"), _form(body_en="We have {partnerz} and {foo_bar}."))
    html = response.content.decode()
    assert response.status_code == 200 and "{partnerz}, {foo_bar}" in html
    assert not Article.objects.filter(slug="visit").exists()


def test_editor_page_lists_the_placeholders(client, people):
    client.force_login(people.admin)
    html = client.get(url("portal:manage_create")).content.decode()
    for name in ("{partners_rounded}", "{top_countries}", "{channels}", "{joint_labs}", "{university_name}"):
        assert name in html


def test_schedule_publish_and_preview(client, people):
    client.force_login(people.officer)
    client.post(url("portal:manage_create"), _form())
    article = Article.objects.get(slug="visit")
    client.post(url("portal:manage_publish", article.pk), {"publish_at": "2099-01-01T09:00"})
    article.refresh_from_db()
    assert article.status == "scheduled"
    preview = client.get(url("portal:manage_preview", article.pk)).content.decode()
    assert "Preview: this page is not public." in preview and "We have 0 partners." in preview
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_attachment_upload_rejects_disguised_files(client, people):
    client.force_login(people.officer)
    client.post(url("portal:manage_create"), _form())
    article = Article.objects.get(slug="visit")
    target = url("portal:manage_attachment_add", article.pk)
    client.post(target, {"title": "Fake", "file": SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>")})
    client.post(target, {"title": "Real", "file": SimpleUploadedFile("y.pdf", b"%PDF-1.5 content")})
    assert list(article.attachments.values_list("title", flat=True)) == ["Real"]


def test_editor_list_query_count_is_fixed(client, people, django_assert_max_num_queries):
    from meridian.portal.tests.factories import ArticleFactory

    for _ in range(15):
        ArticleFactory()
    client.force_login(people.officer)
    with django_assert_max_num_queries(12):
        assert client.get(url("portal:manage_list")).status_code == 200
