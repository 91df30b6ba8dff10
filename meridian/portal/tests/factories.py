import factory
from django.utils import timezone

from meridian.portal.models import Article, Section


def section(slug: str = "news") -> Section:
    return Section.objects.get(slug=slug)


class ArticleFactory(factory.django.DjangoModelFactory):
    """A live news item by default; pass status/publish_at for drafts and scheduled ones."""

    class Meta:
        model = Article

    section = factory.LazyFunction(section)
    slug = factory.Sequence(lambda n: f"item-{n}")
    kind = "news"
    title_en = factory.Sequence(lambda n: f"News item {n}")
    title_zh = factory.Sequence(lambda n: f"新闻{n}")
    summary_en = "A short summary."
    summary_zh = "简短摘要。"
    body_en = "Some **text**."
    body_zh = "一些**文字**。"
    author_name = "International Office"
    status = "published"
    publish_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=1))
