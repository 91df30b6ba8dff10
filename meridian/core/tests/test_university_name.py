from django.test import RequestFactory
from django.utils import translation

from meridian.core.context_processors import meridian
from meridian.core.i18n import university_name


def test_the_university_is_named_in_the_readers_language(settings):
    settings.UNIVERSITY_NAME = "Meridian University"
    settings.UNIVERSITY_NAME_ZH = "子午线大学"
    with translation.override("zh-hans"):
        assert university_name() == "子午线大学"
        assert meridian(RequestFactory().get("/"))["university_name"] == "子午线大学"
    with translation.override("en"):
        assert university_name() == "Meridian University"


def test_without_a_chinese_name_chinese_pages_show_the_configured_name(settings):
    settings.UNIVERSITY_NAME = "Example University"
    settings.UNIVERSITY_NAME_ZH = ""
    with translation.override("zh-hans"):
        assert university_name() == "Example University"
