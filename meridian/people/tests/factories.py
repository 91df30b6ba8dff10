import datetime

import factory

from meridian.people.choices import DocumentType, Gender, PersonKind
from meridian.people.models import IdentityDocument, Person


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    kind = PersonKind.GUEST
    family_name = factory.Sequence(lambda n: f"Müller{n}")
    given_name = "Anna"
    gender = Gender.FEMALE
    birth_date = datetime.date(1980, 5, 17)


class IdentityDocumentFactory(factory.django.DjangoModelFactory):
    """Needs `person` and `issuing_country`; no purpose (use the service where purposes matter)."""

    class Meta:
        model = IdentityDocument

    kind = DocumentType.PASSPORT
    number = factory.Sequence(lambda n: f"C{n:08d}")
    issue_date = datetime.date(2020, 1, 10)
    expiry_date = datetime.date(2030, 1, 9)


def make_person(**fields) -> Person:
    """A saved Person (typed for callers; factory_boy's call returns the model instance)."""
    return PersonFactory(**fields)  # type: ignore[return-value]
