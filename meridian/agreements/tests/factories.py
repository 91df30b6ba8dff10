import datetime

import factory

from meridian.agreements.models import Agreement, AgreementChannel, AgreementPartner


class AgreementFactory(factory.django.DjangoModelFactory):
    """Needs `responsible_unit`; pass `partners=[...]` and `channels=[...]` to link them."""

    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"AGR-2026-{n:04d}")
    title_en = factory.Sequence(lambda n: f"Student exchange agreement {n}")
    title_zh = factory.Sequence(lambda n: f"学生交流协议{n}")
    kind = "student_exchange"
    start_date = datetime.date(2025, 1, 1)
    end_date = datetime.date(2030, 1, 1)
    state = "draft"

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        for partner in extracted or []:
            AgreementPartner.objects.create(agreement=self, partner=partner)

    @factory.post_generation
    def channels(self, create, extracted, **kwargs):
        for channel in extracted or []:
            AgreementChannel.objects.create(agreement=self, channel=channel)
