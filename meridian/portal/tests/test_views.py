import re

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from meridian.agreements.tests.factories import AgreementFactory
from meridian.partners.tests.factories import PartnerFactory
from meridian.portal import services
from meridian.portal.models import Article
from meridian.portal.tests.conftest import HIDDEN_NAME, SECRET_CONTACT, SECRET_NOTE
from meridian.portal.tests.factories import ArticleFactory, section
from meridian.reference.tests.factories import country

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def url(name: str, *args, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def partnership(lang: str = "en") -> str:
    return url("portal:section", "global-partnership", lang=lang)


def text(response) -> str:
    return response.content.decode()


def test_global_partnership_page_shows_live_figures_in_both_languages(client, world):
    en = text(client.get(partnership("en")))
    assert "over" not in en.split("has established")[1][:40]  # five partners: the exact number, not "over"
    assert "with 5 universities, enterprises and institutions in 2 countries and regions" in en
    assert "such as United States and Russia" in en
    assert (
        "research cooperation, student exchange, teaching-staff exchange and joint lab / R&amp;D centre" in en
    )
    zh = text(client.get(partnership("zh-hans")))
    assert "我校已与2个国家和地区的5所大学、企业和机构建立了合作关系" in zh
    assert "美国、俄罗斯" in zh
    assert "与合作伙伴共建联合实验室和研发中心：1个" in zh


def test_page_layout_breadcrumb_author_time_views(client, world):
    html = text(client.get(partnership("en"), HTTP_USER_AGENT=CHROME))
    breadcrumb = html.split('class="breadcrumb"')[1].split("</nav>")[0]
    assert re.findall(r">([^<>]+)</(?:a|span)>", breadcrumb) == [
        "Home",
        "Global Vision",
        "Global Partnership",
    ]
    assert "<h1>Global Partnership</h1>" in html
    assert "International Office" in html and "<time datetime=" in html
    assert '<span class="view-count">1</span>' in html


def test_new_partner_in_new_country_shows_on_the_next_request(client, world, org):
    assert "Japan" not in text(client.get(partnership()))
    japan = country("JP", "Japan", "日本", alpha3="JPN")
    partner = PartnerFactory(country=japan, status="prospect")
    AgreementFactory(
        responsible_unit=org.intl_office, state="active", partners=[partner], channels=["cultural"]
    )
    html = text(client.get(partnership()))
    assert "with 6 universities" in html and "in 3 countries and regions" in html
    assert "United States, Russia and Japan" in html and "cultural exchange" in html


def test_expired_agreement_drops_out_on_the_next_request(client, world):
    from meridian.agreements.models import Agreement

    Agreement.objects.filter(kind="joint_lab", state="active").update(state="expired")
    html = text(client.get(partnership()))
    assert (
        "Joint laboratories and R&amp;D centres with our partners: 0" in html
        and "with 4 universities" in html
    )


def test_view_counting_through_the_page(client, world):
    article = Article.objects.get(slug="global-partnership")
    client.get(partnership(), HTTP_USER_AGENT=CHROME)
    client.get(partnership(), HTTP_USER_AGENT=CHROME)
    client.get(partnership(), HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")
    article.refresh_from_db()
    assert article.view_count == 1


def test_no_internal_data_on_public_pages(client, world):
    ArticleFactory()
    pages = [url("portal:home"), partnership(), partnership("zh-hans"), url("portal:news"), "/sitemap.xml"]
    for page in pages:
        html = text(client.get(page))
        for secret in (SECRET_NOTE, SECRET_CONTACT, HIDDEN_NAME, "Hidden Person", "Secret draft agreement"):
            assert secret not in html, (page, secret)


def test_scheduled_and_draft_articles_are_hidden_until_due(client, db, monkeypatch):
    due_later = ArticleFactory(status="scheduled", publish_at=timezone.now() + timezone.timedelta(days=1))
    draft = ArticleFactory(status="draft", publish_at=None)
    news = text(client.get(url("portal:news")))
    assert due_later.title_en not in news and draft.title_en not in news
    assert client.get(due_later.get_absolute_url()).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404
    # The publication time passes and nothing is saved: the cached news list expires at that time.
    later = timezone.now() + timezone.timedelta(days=1, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(due_later.get_absolute_url()).status_code == 200
    assert due_later.title_en in text(client.get(url("portal:news")))


def test_missing_language_notice_links_the_other_language(client, db):
    article = ArticleFactory(title_zh="", body_zh="", summary_zh="")
    html = text(client.get(url("portal:article", "news", article.slug, lang="zh-hans")))
    assert 'class="language-notice"' in html
    assert f'href="/en/global-vision/news/{article.slug}/"' in html.split('class="language-notice"')[1]
    assert article.title_en in html
    assert 'class="language-notice"' not in text(client.get(url("portal:article", "news", article.slug)))


def test_news_list_is_paginated(client, db):
    for _ in range(12):
        ArticleFactory()
    first, second = client.get(url("portal:news")), client.get(url("portal:news") + "?page=2")
    assert text(first).count('class="teaser"') == 10 and text(second).count('class="teaser"') == 2


def test_section_index_without_front_page(client, db):
    ArticleFactory(section=section("visiting-scholars"), kind="page", title_en="Welcome scholars")
    html = text(client.get(url("portal:section", "visiting-scholars")))
    assert "<h1>Visiting Scholars</h1>" in html and "Welcome scholars" in html


def test_unknown_section_is_404(client, db):
    assert client.get(url("portal:section", "no-such-section")).status_code == 404


def test_home_shows_figures_and_latest_news(client, world):
    ArticleFactory(title_en="Delegation visits")
    html = text(client.get(url("portal:home")))
    assert "Delegation visits" in html
    assert re.search(r"<dt>Cooperating partners</dt><dd>5</dd>", html)


def test_open_graph_description_hreflang_and_language_switch(client, world):
    article = ArticleFactory(summary_en="Summary for sharing")
    html = text(client.get(article.get_absolute_url()))
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:title" content="{article.title_en}">' in html
    assert '<meta property="og:description" content="Summary for sharing">' in html
    assert '<meta name="description" content="Summary for sharing">' in html
    # Absolute addresses on the public address (SITE_URL): cached pages are the same for every host asked.
    assert f'hreflang="zh-hans" href="{settings.SITE_URL}/zh-hans/global-vision/news/{article.slug}/"' in html
    assert 'hreflang="x-default"' in html
    assert f'<a href="/zh-hans/global-vision/news/{article.slug}/" hreflang="zh-hans"' in html
    home = text(client.get(url("portal:home", lang="zh-hans")))
    assert '<html lang="zh-hans">' in home and '<meta property="og:locale" content="zh_CN">' in home


def test_open_graph_image_is_the_cover(client, people):
    png = SimpleUploadedFile("c.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    article = services.article_create(
        actor=people.officer, section=section("news"), slug="pic", title_en="Pic", body_en="x", cover=png
    )
    services.article_publish(article=article, actor=people.officer)
    html = text(client.get(article.get_absolute_url()))
    cover = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert cover.startswith(settings.SITE_URL + "/")
    response = client.get(cover.removeprefix(settings.SITE_URL))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_files_of_unpublished_articles_are_not_served(client, people):
    article = services.article_create(
        actor=people.officer, section=section("news"), slug="draft", title_en="D", body_en="x"
    )
    attachment = services.attachment_add(
        article=article, actor=people.officer, title="Plan",
        uploaded_file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 secret"),
    )  # fmt: skip
    assert client.get(attachment.get_absolute_url()).status_code == 404
    client.force_login(people.officer)
    assert client.get(attachment.get_absolute_url()).status_code == 200


def test_sitemap_lists_both_languages_and_only_live_articles(client, world):
    live = ArticleFactory()
    hidden = ArticleFactory(status="draft", publish_at=None)
    response = client.get("/sitemap.xml")
    xml = text(response)
    assert response["Content-Type"].startswith("application/xml")
    assert f"<loc>http://testserver/en/global-vision/news/{live.slug}/</loc>" in xml
    assert f"<loc>http://testserver/zh-hans/global-vision/news/{live.slug}/</loc>" in xml
    assert "<loc>http://testserver/zh-hans/global-vision/global-partnership/</loc>" in xml
    assert "<loc>http://testserver/en/global-vision/</loc>" in xml
    assert hidden.slug not in xml
    public = [p for p in world.partners if p.is_public]
    assert all(f"<loc>http://testserver/zh-hans/global-vision/partners/{p.pk}/</loc>" in xml for p in public)
    assert f"/partners/{world.hidden.pk}/" not in xml


def test_robots_points_to_the_sitemap(client, db):
    robots = text(client.get("/robots.txt"))
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    assert "Disallow: /admin/" in robots and "Disallow: /en/global-vision/manage/" in robots


def test_root_redirect(client, people):
    from django.test import RequestFactory

    from meridian.portal.views import root_redirect

    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    request.user = type("Anon", (), {"is_authenticated": False})()
    assert root_redirect(request)["Location"] == "/zh-hans/global-vision/"
    request.user = people.staff
    assert root_redirect(request)["Location"] == reverse("workflow:landing")


def test_public_page_query_counts_do_not_grow(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Built afresh (the stamp changed): the page's own queries, the stamp and the next scheduled
    # publication, which sections the navigation links (sections_with_content, cached by the stamp) and the
    # charts' figures.
    pages = {url("portal:home"): 11, url("portal:news"): 8, partnership(): 16}
    for page in pages:
        client.get(page)  # warm the per-process caches (map shapes, content types) first
    counts = []
    for rows in (2, 12):
        for _ in range(rows):
            ArticleFactory()
        measured = {}
        for page, limit in pages.items():
            with CaptureQueriesContext(connection) as queries:
                # A new reader each round, so the view-count writes are part of what is measured.
                assert client.get(page, HTTP_USER_AGENT=f"{CHROME} {rows}").status_code == 200
            assert len(queries) <= limit, (page, len(queries))
            measured[page] = len(queries)
        counts.append(measured)
    assert counts[0] == counts[1]
