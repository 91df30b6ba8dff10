"""Optimistic locking through the REST API: an ETag on every read of a versioned record, and the version an
update is based on required (an ``If-Match`` header with that ETag, or a ``version`` field in the body).

The rule, for every viewset of a record that subclasses ``VersionedModel``:

* ``GET`` of one record answers ``ETag: W/"<kind>-<id>-v<version>"`` (``kind`` is the model's name, e.g.
  ``W/"partner-12-v3"``); the body keeps its ``version`` field, and a successful update or move answers the
  new ETag.
* ``PUT``/``PATCH`` must say which version it starts from: ``If-Match: W/"partner-12-v3"`` (the weak or the
  strong form) or ``"version": 3`` in the body; both given must name the same number. Without either the
  answer is 428 ``version_required``; ``If-Match: *`` names no version and is answered 428 as well. An
  ``If-Match`` that is not this record's ETag is 400 ``invalid``.
* The service compares the version under its row lock (``core.versioning.ensure_fresh``): a stale one raises
  ``StaleEditError``, answered 409 ``stale_edit`` with what changed (``core.api.exception_handler``).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

_ETAG = re.compile(r'^(?:W/)?"(?P<kind>[a-z0-9_]+)-(?P<pk>[0-9]+)-v(?P<version>[0-9]+)"$')

#: The actions whose answer is the record itself (with ``id`` and ``version``): they carry its ETag.
ETAG_ACTIONS: tuple[str, ...] = ("retrieve", "update", "partial_update", "move")


class VersionRequired(exceptions.APIException):
    """An update that does not say which version of the record it starts from: 428 Precondition Required."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = gettext_lazy(
        "Say which version you changed: send the record's ETag in the If-Match header, or the field "
        "“version” with the version you read."
    )
    default_code = "version_required"


def record_etag(kind: str, pk: int | str, version: int) -> str:
    """The ETag of version ``version`` of record ``pk`` of ``kind``: ``W/"partner-12-v3"``.

    Weak, because the representation also depends on the reader (language, what they may see); the version
    alone identifies the stored state an update is compared with.
    """
    return f'W/"{kind}-{pk}-v{int(version)}"'


def model_kind(model: type[models.Model]) -> str:
    """The ``kind`` part of a record's ETag: the model's name in lower case (``partner``, ``trip``)."""
    return model._meta.model_name or model.__name__.lower()


def _parse_body_version(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):  # JSON true/false are not versions, although bool subclasses int
        raise exceptions.ValidationError({"version": [_("Send the version as a whole number.")]})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise exceptions.ValidationError({"version": [_("Send the version as a whole number.")]}) from exc
    return number


def _if_match_version(header: str, *, kind: str, pk: int | str) -> int | None:
    """The version an ``If-Match`` header names for record ``pk`` of ``kind`` (None: no header)."""
    header = header.strip()
    if not header:
        return None
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if "*" in tags:
        # "*" means "any current version": it cannot protect against a concurrent change.
        raise VersionRequired()
    versions = set()
    for tag in tags:
        match = _ETAG.match(tag)
        if match is None or match["kind"] != kind or match["pk"] != str(pk):
            raise exceptions.ValidationError(
                {
                    "If-Match": [
                        _("If-Match must be the ETag this record was read with, e.g. %(example)s.")
                        % {"example": record_etag(kind, pk, 1)}
                    ]
                }
            )
        versions.add(int(match["version"]))
    if len(versions) > 1:
        raise exceptions.ValidationError({"If-Match": [_("If-Match names more than one version.")]})
    return versions.pop()


def expected_version(request: Request, *, kind: str, pk: int | str, body_version: object = None) -> int:
    """The version of record ``pk`` of ``kind`` that the update in ``request`` starts from.

    Read from the ``If-Match`` header (``W/"<kind>-<pk>-v<n>"``, weak or strong form) or from
    ``body_version`` (the body's ``version`` field, an int or its text); both given must agree.

    Raises ``VersionRequired`` (428) when neither is given or If-Match is ``*``, and DRF's
    ``ValidationError`` (400) for an If-Match of another record, a version that is not a whole number, or
    two different versions.
    """
    from_header = _if_match_version(request.headers.get("If-Match", ""), kind=kind, pk=pk)
    from_body = _parse_body_version(body_version)
    if from_header is not None and from_body is not None and from_header != from_body:
        raise exceptions.ValidationError(
            {"version": [_("The field “version” and the If-Match header name different versions.")]}
        )
    version = from_header if from_header is not None else from_body
    if version is None:
        raise VersionRequired()
    return version


class VersionedViewSetMixin:
    """Mix into the viewset of a ``VersionedModel``: ETags on its answers and ``self.expected_version()``.

    ``etag_kind`` defaults to the queryset model's name; ``etag_actions`` lists the actions that answer the
    record itself (an answer whose ``id`` is not the record in the URL never gets the ETag).
    """

    etag_kind: str = ""
    etag_actions: tuple[str, ...] = ETAG_ACTIONS
    request: Any  # these four are the view's, which this is mixed into
    kwargs: dict[str, Any]
    queryset: Any
    lookup_field: str

    def get_etag_kind(self) -> str:
        """The ``kind`` part of this viewset's ETags (``etag_kind``, else the model's name)."""
        return self.etag_kind or model_kind(self.queryset.model)

    def _record_pk(self) -> str:
        return str(self.kwargs.get(getattr(self, "lookup_url_kwarg", None) or self.lookup_field, ""))

    def expected_version(self, body_version: object = None) -> int:
        """The version the current update starts from (see ``expected_version``): 428 without one."""
        return expected_version(
            self.request, kind=self.get_etag_kind(), pk=self._record_pk(), body_version=body_version
        )

    def etag_for(self, pk: int | str, version: int) -> str:
        """The ETag of version ``version`` of this viewset's record ``pk``."""
        return record_etag(self.get_etag_kind(), pk, version)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        """Add the record's ETag to a successful answer of an ``etag_actions`` action that is the record."""
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        data = getattr(response, "data", None)
        if (
            200 <= response.status_code < 300
            and getattr(self, "action", None) in self.etag_actions
            and isinstance(data, dict)
            and isinstance(data.get("version"), int)
            and str(data.get("id")) == self._record_pk()
            and not response.has_header("ETag")
        ):
            response["ETag"] = self.etag_for(data["id"], data["version"])
        return response


# --- the OpenAPI document -----------------------------------------------------------------------------------


class VersionRequiredBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField()


class VersionRequiredErrorSerializer(serializers.Serializer):
    """428: ``{"error": {"code": "version_required", "message", "details": {}}}``."""

    error = VersionRequiredBodySerializer()


class StaleEditChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field called "label", not Field.label
    before = serializers.CharField()
    after = serializers.CharField()


class ConflictDetailsSerializer(serializers.Serializer):
    current_version = serializers.IntegerField(required=False, help_text="stale_edit: the stored version.")
    changed_by = serializers.CharField(required=False, help_text="stale_edit: who saved last.")
    changes = StaleEditChangeSerializer(
        many=True, required=False, help_text="stale_edit: the fields changed since your version."
    )
    existing_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="duplicate: the record that already has the identifier."
    )


class ConflictBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="stale_edit, or duplicate")
    message = serializers.CharField()
    details = ConflictDetailsSerializer()


class ConflictErrorSerializer(serializers.Serializer):
    """409: ``{"error": {"code": "stale_edit", "message", "details": {current_version, changed_by,
    changes: [{field, label, before, after}]}}}``."""

    error = ConflictBodySerializer()


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag of the version you read, e.g. W/"partner-12-v3" (or send the field "version"). '
    "One of the two is required; * is not accepted.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The record\'s version, e.g. W/"partner-12-v3": send it back in If-Match to update.',
)
PRECONDITION_RESPONSES: dict[int, OpenApiResponse] = {
    409: OpenApiResponse(
        ConflictErrorSerializer,
        description="Someone saved the record since your version (stale_edit; details list the changes), "
        "or a duplicate identifier.",
    ),
    428: OpenApiResponse(
        VersionRequiredErrorSerializer,
        description="No version: send If-Match with the ETag you read, or the field version.",
    ),
}


def versioned_read(**kwargs: Any) -> Any:
    """``extend_schema`` for a read of one versioned record: documents its ``ETag`` response header."""
    return extend_schema(**{**kwargs, "parameters": [*kwargs.get("parameters", []), ETAG]})


def versioned_update(**kwargs: Any) -> Any:
    """``extend_schema`` for an update of a versioned record: the ``If-Match`` parameter, the ``ETag`` of
    the answer and the 409/428 answers, added to what ``kwargs`` gives."""
    responses = {**kwargs.get("responses", {}), **PRECONDITION_RESPONSES}
    return extend_schema(
        **{**kwargs, "parameters": [*kwargs.get("parameters", []), IF_MATCH, ETAG], "responses": responses}
    )
