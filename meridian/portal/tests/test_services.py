import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meridian.core.errors import PermissionDeniedError, StaleEditError
from meridian.core.models import Activity
from meridian.portal import services
from meridian.portal.models import Article, ViewMark
from meridian.portal.tests.factories import ArticleFactory, section

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
HEADLESS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/131.0 Safari/537.36"
)


def _create(actor, **extra):
    fields = {
        "section": section("news"),
        "slug": "hello",
        "kind": "news",
        "title_en": "Hello",
        "body_en": "Hi",
    }
    return services.article_create(actor=actor, **{**fields, **extra})


def test_create_records_history_and_activity(people):
    article = _create(people.officer)
    assert article.status == "draft"
    assert article.history.count() == 1
    assert Activity.objects.filter(object_id=article.pk, verb="created").exists()


def test_unknown_placeholder_is_reported_by_field(people):
    with pytest.raises(ValidationError) as caught:
        _create(people.officer, body_en="We have {partner} partners and {partners}.", body_zh="{国家}")
    assert "{partner}" in str(caught.value.message_dict["body_en"])
    assert "{partners}" not in str(caught.value.message_dict["body_en"]).replace("{partner}", "")


def test_stale_update_is_refused_and_nothing_is_overwritten(people):
    article = _create(people.officer)
    services.article_update(article=article, actor=people.admin, expected_version=1, title_en="First")
    with pytest.raises(StaleEditError):
        services.article_update(article=article, actor=people.officer, expected_version=1, title_en="Second")
    article.refresh_from_db()
    assert article.title_en == "First" and article.version == 2


def test_only_editors_write(people):
    with pytest.raises(PermissionDeniedError):
        _create(people.coordinator)


def test_publish_now_schedule_and_unpublish(people):
    article = _create(people.officer)
    later = timezone.now() + timezone.timedelta(days=2)
    scheduled = services.article_publish(article=article, actor=people.officer, publish_at=later)
    assert scheduled.status == "scheduled"
    assert not Article.objects.live().filter(pk=article.pk).exists()
    assert Article.objects.live(now=later + timezone.timedelta(minutes=1)).filter(pk=article.pk).exists()
    published = services.article_publish(article=article, actor=people.officer)
    assert published.status == "published" and Article.objects.live().filter(pk=article.pk).exists()
    services.article_unpublish(article=article, actor=people.officer)
    assert not Article.objects.live().filter(pk=article.pk).exists()


def test_cover_accepts_images_by_content_not_by_name(people):
    fake = SimpleUploadedFile("cover.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationError) as caught:
        _create(people.officer, cover=fake)
    assert "cover" in caught.value.message_dict
    real = SimpleUploadedFile("cover.bin", PNG, content_type="application/octet-stream")
    article = _create(people.officer, slug="with-cover", cover=real)
    assert article.cover_content_type == "image/png"


def test_attachments_are_checked_by_content(people):
    article = _create(people.officer)
    with pytest.raises(ValidationError):
        services.attachment_add(
            article=article, actor=people.officer, title="Evil",
            uploaded_file=SimpleUploadedFile("doc.pdf", b"MZ\x90\x00 not a pdf"),
        )  # fmt: skip
    attachment = services.attachment_add(
        article=article,
        actor=people.officer,
        title="Brochure",
        uploaded_file=SimpleUploadedFile("b.pdf", PDF),
    )
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)


def test_a_reader_is_counted_once_a_day(db):
    article = ArticleFactory()
    assert services.article_view_record(article=article, address="10.0.0.1", user_agent=CHROME)
    assert not services.article_view_record(article=article, address="10.0.0.1", user_agent=CHROME)
    assert services.article_view_record(article=article, address="10.0.0.2", user_agent=CHROME)
    article.refresh_from_db()
    assert article.view_count == 2


@pytest.mark.parametrize(
    "agent",
    ["Googlebot/2.1 (+http://www.google.com/bot.html)", "Mozilla/5.0 (compatible; bingbot/2.0)",
     "Baiduspider+(+http://www.baidu.com/search/spider.htm)", "Yahoo! Slurp", "python-requests/2.32"],
)  # fmt: skip
def test_announced_bots_are_not_counted(db, agent):
    article = ArticleFactory()
    assert not services.article_view_record(article=article, address="10.0.0.1", user_agent=agent)
    article.refresh_from_db()
    assert article.view_count == 0


def test_headless_browsers_are_readers(db):
    article = ArticleFactory()
    assert services.article_view_record(article=article, address="127.0.0.1", user_agent=HEADLESS)


def test_old_view_marks_are_purged(db):
    article = ArticleFactory()
    ViewMark.objects.create(
        article=article, visitor="x", day=timezone.localdate() - timezone.timedelta(days=3)
    )
    services.article_view_record(article=article, address="10.0.0.1", user_agent=CHROME)
    assert list(ViewMark.objects.values_list("day", flat=True)) == [timezone.localdate()]
