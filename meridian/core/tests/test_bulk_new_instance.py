"""``core.bulk.new_instance`` builds the same unsaved instance as the model's keyword constructor."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from meridian.core.bulk import new_instance
from meridian.core.models import Activity


def _values(instance) -> dict:
    return {key: value for key, value in instance.__dict__.items() if key != "_state"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [
        {},
        {"verb": "created", "message": "Created partner X"},
        {
            "verb": "updated",
            "message": "Changed city",
            "message_zh": "修改了城市",
            "comment": "",
            "object_id": 7,
        },
        {"verb": "updated", "actor": None, "object_id": 3},
    ],
)
def test_the_same_instance_as_the_keyword_constructor(values):
    content_type = ContentType.objects.get_for_model(Activity)
    values = {**values, "content_type": content_type}
    built, expected = new_instance(Activity, values), Activity(**values)
    assert _values(built) == _values(expected)
    assert built._state.adding and built._state.db is None
    # A relation given by name is cached as the descriptor caches it: no query to read it back.
    assert built._state.fields_cache == expected._state.fields_cache
    assert built.content_type is content_type


@pytest.mark.django_db
def test_a_relation_by_its_column_name_and_defaults():
    content_type = ContentType.objects.get_for_model(Activity)
    built = new_instance(Activity, {"content_type_id": content_type.pk, "verb": "x"})
    assert built.content_type_id == content_type.pk
    assert _values(built) == _values(Activity(content_type_id=content_type.pk, verb="x"))


def test_an_unknown_name_is_refused_as_the_constructor_refuses_it():
    with pytest.raises(TypeError, match="nonsense"):
        new_instance(Activity, {"nonsense": 1})
    with pytest.raises(TypeError):
        Activity(nonsense=1)
