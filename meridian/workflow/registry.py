"""The case-type registry: every context registers its case type here, keyed by a short code.

``case_types.register(case_type)`` also installs ``can_<move>(self, user) -> bool`` on the model for every
declared transition, so that templates and views ask ``agreement.can_activate(user)`` and never re-implement
the rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from meridian.workflow.declaration import CaseType

_INSTALLED = "_workflow_installed"


def _make_can(move: str):
    def can(self: models.Model, user: Any) -> bool:
        from meridian.workflow.services import can_move

        return can_move(case=self, user=user, move=move)

    can.__name__ = f"can_{move}"
    can.__doc__ = f"May ``user`` take the move {move!r} now? Derived from the case-type declaration."
    setattr(can, _INSTALLED, True)
    return can


class CaseTypeRegistry:
    def __init__(self) -> None:
        self._types: dict[str, CaseType] = {}

    def register(self, case_type: CaseType) -> CaseType:
        """Register ``case_type``; raises ``ImproperlyConfigured`` for a code or model registered twice or a
        model that defines a ``can_<move>`` method by hand."""
        if case_type.code in self._types:
            raise ImproperlyConfigured(f"Case type {case_type.code!r} is registered twice.")
        model = case_type.model_class
        for other in self._types.values():
            if other.model_class is model:
                raise ImproperlyConfigured(f"{model.__name__} is already the case type {other.code!r}.")
        for t in case_type.transitions:
            name = f"can_{t.name}"
            existing = model.__dict__.get(name)
            if existing is not None and not getattr(existing, _INSTALLED, False):
                raise ImproperlyConfigured(
                    f"{model.__name__}.{name} is defined by hand; the case-type declaration derives it."
                )
            setattr(model, name, _make_can(t.name))
        self._types[case_type.code] = case_type
        return case_type

    def unregister(self, code: str) -> None:
        """Take a case type out again (tests declaring a throw-away case type use it)."""
        case_type = self._types.pop(code, None)
        if case_type is None:
            return
        model = case_type.model_class
        for t in case_type.transitions:
            existing = model.__dict__.get(f"can_{t.name}")
            if existing is not None and getattr(existing, _INSTALLED, False):
                delattr(model, f"can_{t.name}")

    def get(self, code: str) -> CaseType:
        """The case type registered under ``code``; raises ``KeyError``."""
        return self._types[code]

    def for_model(self, model_or_instance: type[models.Model] | models.Model) -> CaseType:
        """The case type of a model class or instance; raises ``KeyError`` when it is no case type."""
        model = model_or_instance if isinstance(model_or_instance, type) else type(model_or_instance)
        model = model._meta.concrete_model or model
        for case_type in self._types.values():
            if case_type.model_class is model:
                return case_type
        raise KeyError(model.__name__)

    def __contains__(self, code: object) -> bool:
        return code in self._types

    def __iter__(self) -> Iterator[CaseType]:
        return iter(sorted(self._types.values(), key=lambda ct: ct.code))

    def __len__(self) -> int:
        return len(self._types)

    def choices(self) -> list[tuple[str, str]]:
        return [(ct.code, str(ct.label)) for ct in self]


case_types = CaseTypeRegistry()
