"""What the OpenAPI document takes from the code (drf-spectacular settings that name functions)."""

from __future__ import annotations


def doc_excludes() -> list[type]:
    """Classes whose docstrings never describe an endpoint: drf-spectacular's own list (Django REST
    framework's views, viewsets and serializers) and Meridian's viewset mixins, which describe how to use
    the mixin, not the endpoint. A viewset without a docstring of its own then has no description, instead
    of its mixin's (``SPECTACULAR_SETTINGS["GET_LIB_DOC_EXCLUDES"]``)."""
    from drf_spectacular.plumbing import get_lib_doc_excludes

    from meridian.core.api_versioning import VersionedViewSetMixin
    from meridian.workflow.api import CaseViewSetMixin

    return [*get_lib_doc_excludes(), VersionedViewSetMixin, CaseViewSetMixin]
