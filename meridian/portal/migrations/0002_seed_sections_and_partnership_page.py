"""The fixed sections of the Global Vision site and the Global Partnership page, whose figures are live."""

from django.db import migrations
from django.utils import timezone

SECTIONS = [
    ("global-partnership", "Global Partnership", "全球伙伴"),
    ("partner-institutions", "Partner Institutions", "合作院校"),
    ("exchange-programmes", "Exchange Programmes", "交流项目"),
    ("visiting-scholars", "Visiting Scholars", "访问学者"),
    ("international-students", "International Students", "国际学生"),
    ("news", "News", "新闻动态"),
]

BODY_EN = """\
{university_name} has established cooperative relations with {partners_rounded} universities, enterprises and \
institutions in {countries} countries and regions, such as {top_countries}.

We cooperate with them through {channels}.

- Joint laboratories and R&D centres with our partners: {joint_labs}
- Student and staff exchange agreements in force: {exchange_agreements}, with {exchange_partners} partners

The figures on this page are read from the International Office's records each time the page is opened.
"""

BODY_ZH = """\
我校已与{countries}个国家和地区的{partners_rounded}大学、企业和机构建立了合作关系，合作伙伴分布在{top_countries}。

合作形式包括{channels}。

- 与合作伙伴共建联合实验室和研发中心：{joint_labs}个
- 现行学生和教师交流协议：{exchange_agreements}项，涉及合作伙伴{exchange_partners}所

本页数据在每次打开时从国际合作与交流处的记录中读取。
"""


def seed(apps, schema_editor):
    Section = apps.get_model("portal", "Section")
    Article = apps.get_model("portal", "Article")
    for position, (slug, name_en, name_zh) in enumerate(SECTIONS):
        Section.objects.update_or_create(
            slug=slug, defaults={"name_en": name_en, "name_zh": name_zh, "position": position}
        )
    section = Section.objects.get(slug="global-partnership")
    Article.objects.get_or_create(
        section=section,
        slug="global-partnership",
        defaults={
            "kind": "page",
            "title_en": "Global Partnership",
            "title_zh": "全球伙伴",
            "summary_en": "{university_name} cooperates with {partners_rounded} partners in {countries} countries "
            "and regions.",
            "summary_zh": "我校与{countries}个国家和地区的{partners_rounded}院校和机构开展合作。",
            "body_en": BODY_EN,
            "body_zh": BODY_ZH,
            "author_name": "International Office",
            "status": "published",
            "publish_at": timezone.now(),
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("portal", "Article").objects.filter(slug="global-partnership").delete()
    apps.get_model("portal", "Section").objects.filter(slug__in=[s[0] for s in SECTIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
