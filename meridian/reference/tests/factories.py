from meridian.reference.models import Country


def country(code: str = "DE", name_en: str = "Germany", name_zh: str = "德国", **extra) -> Country:
    defaults = {
        "alpha3": extra.pop("alpha3", code + "X"),
        "name_en": name_en,
        "name_zh": name_zh,
        "region_en": extra.pop("region_en", "Europe"),
        "region_zh": extra.pop("region_zh", "欧洲"),
        "region_code": extra.pop("region_code", "150"),
        **extra,
    }
    obj, _ = Country.objects.get_or_create(code=code, defaults=defaults)
    return obj
