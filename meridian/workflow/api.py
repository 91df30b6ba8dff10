"""REST API base for every case type, and the engine's own endpoints (my tasks, step actions).

A case type's viewset::

    class AgreementViewSet(CaseViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
        case_type_code = "agreement"
        serializer_class = AgreementSerializer   # a CaseSerializerMixin serializer

gets list filters ``state``, ``unit`` (with subunits), ``partner``, ``date_from``/``date_to`` (ISO dates on
the declared ``date_field``), and the detail routes ``GET moves/`` (the moves with their reasons),
``POST moves/<move>/`` (``{"comment", "data": {...}, "on_behalf_of": user id}``), ``GET history/`` and
``GET documents/``. Every write goes through ``meridian.workflow.services``; refusals answer the shared error
shape ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import DateTimeField, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from meridian.accounts.models import OrgUnit, User
from meridian.core.errors import PermissionDeniedError
from meridian.workflow import permissions, selectors, services
from meridian.workflow.declaration import CaseType
from meridian.workflow.models import StepTask, TransitionLog
from meridian.workflow.registry import case_types

CASE_FIELDS = ("case_type", "state", "state_label", "url")


def _absolute(request: Request | None, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None and url else url


class CaseSerializerMixin(serializers.Serializer):
    """Adds ``case_type``, ``state``, ``state_label`` and ``url`` (the case's page, absolute) to a serializer.

    With a ModelSerializer list them in ``Meta.fields`` (``fields = [..., *CASE_FIELDS]``).
    """

    case_type = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    state_label = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def _ct(self, case) -> CaseType:
        return case_types.for_model(case)

    def get_case_type(self, case) -> str:
        return self._ct(case).code

    def get_state(self, case) -> str:
        return self._ct(case).state_of(case)

    def get_state_label(self, case) -> str:
        ct = self._ct(case)
        return ct.state_label(ct.state_of(case))

    def get_url(self, case) -> str:
        url = case.get_absolute_url() if hasattr(case, "get_absolute_url") else ""
        return _absolute(self.context.get("request"), url)


class MoveOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field called "label", not Field.label
    available = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    inputs = serializers.ListField(child=serializers.CharField())
    comment_required = serializers.BooleanField()


class MoveRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    data = serializers.DictField(required=False, default=dict)  # type: ignore[assignment]  # the inputs
    on_behalf_of = serializers.IntegerField(required=False, allow_null=True, default=None)


class LogFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    download = serializers.SerializerMethodField()

    def get_download(self, row) -> str:
        return _absolute(self.context.get("request"), reverse("workflow:log_file", args=[row.pk]))


class LogEntrySerializer(serializers.ModelSerializer):
    actor: Any = serializers.StringRelatedField()
    on_behalf_of: Any = serializers.StringRelatedField()
    step = serializers.CharField(source="step_task.display_label", default=None)  # the reader's language
    files = LogFileSerializer(many=True)

    class Meta:
        model = TransitionLog
        fields = [
            "id",
            "at",
            "action",
            "from_state",
            "to_state",
            "actor",
            "on_behalf_of",
            "comment",
            "field_comments",
            "step",
            "files",
        ]


def _parse_date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(
            {name: [_("“%(value)s” is not a date: use YYYY-MM-DD, e.g. 2026-03-01.") % {"value": value}]}
        ) from exc


class CaseViewSetMixin:
    """Mix into a GenericViewSet of a case type: filters, moves, history and documents (see module doc)."""

    case_type_code: str = ""
    request: Any  # set by the view class this is mixed into

    @property
    def case_type(self) -> CaseType:
        return case_types.get(self.case_type_code)

    def base_queryset(self) -> QuerySet:
        """All cases before visibility; override to add ``select_related``/``prefetch_related``."""
        return self.case_type.model_class._default_manager.all()

    def get_queryset(self) -> QuerySet:
        model = self.case_type.model_class
        if getattr(self, "swagger_fake_view", False):
            return model._default_manager.none()
        return self.case_type.visible(self.request.user, self.base_queryset())

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)  # type: ignore[misc]
        if getattr(self, "action", None) != "list":
            return queryset
        params = self.request.query_params
        ct = self.case_type
        if params.get("state"):
            queryset = queryset.filter(**{f"{ct.state_field}__in": params["state"].split(",")})
        if params.get("unit") and ct.unit_field:
            unit = OrgUnit.objects.filter(pk=params["unit"]).first() if params["unit"].isdigit() else None
            unit = unit or OrgUnit.objects.filter(code=params["unit"]).first()
            if unit is None:
                return queryset.none()
            queryset = queryset.filter(**{f"{ct.unit_field}__path__startswith": unit.path})
        if params.get("partner") and ct.partner_field:
            queryset = queryset.filter(**{ct.partner_field: params["partner"]}).distinct()
        lookup = ct.date_field
        try:
            if isinstance(ct.model_class._meta.get_field(ct.date_field), DateTimeField):
                lookup = f"{ct.date_field}__date"  # compare whole days in the site's time zone
        except FieldDoesNotExist:
            pass
        if params.get("date_from"):
            queryset = queryset.filter(**{f"{lookup}__gte": _parse_date(params["date_from"], "date_from")})
        if params.get("date_to"):
            queryset = queryset.filter(**{f"{lookup}__lte": _parse_date(params["date_to"], "date_to")})
        return queryset

    def detail_response(self, case, http_status: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=case.pk)
        serializer = self.get_serializer(fresh)  # type: ignore[attr-defined]
        return Response(serializer.data, status=http_status)

    @extend_schema(
        summary="The moves from the case's state: available, or with the reasons they are not",
        responses=MoveOptionSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="moves", pagination_class=None, filter_backends=[])
    def moves(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()  # type: ignore[attr-defined]
        options = services.moves_for(case=case, user=request.user)
        return Response(MoveOptionSerializer(options, many=True).data)

    @extend_schema(
        summary="Take a move (comment, the move's inputs in data, on_behalf_of)",
        request=MoveRequestSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"moves/(?P<move>[a-z_]+)")
    def move(self, request: Request, pk: str | None = None, move: str = "") -> Response:
        case = self.get_object()  # type: ignore[attr-defined]
        body = MoveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        on_behalf_of = None
        if body.validated_data["on_behalf_of"]:
            on_behalf_of = User.objects.filter(pk=body.validated_data["on_behalf_of"]).first()
            if on_behalf_of is None:
                raise ValidationError({"on_behalf_of": ["Unknown user."]})
        case = services.case_move(
            case=case,
            actor=request.user,
            move=move,
            comment=body.validated_data["comment"],
            data=body.validated_data["data"],
            on_behalf_of=on_behalf_of,
        )
        return self.detail_response(case)

    @extend_schema(
        summary="Every move and approval-step action, newest first", responses=LogEntrySerializer(many=True)
    )
    @action(detail=True, methods=["get"], url_path="history", pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()  # type: ignore[attr-defined]
        if not self.history_visible(request, case):
            from django.http import Http404

            raise Http404
        entries = selectors.history_for(case=case)
        return Response(LogEntrySerializer(entries, many=True, context={"request": request}).data)

    def history_visible(self, request: Request, case) -> bool:
        """May the caller read the case's internal history (moves, approval steps, their comments and files)?

        Every reader of the case by default; a case type overrides it when outsiders (a partner's contact, a
        guest) may read the case but not its internal review.
        """
        return True

    def case_documents(self, case, request: Request) -> Any:
        """The case's documents; the default lists files attached to its moves. Override to add your own."""
        if not self.history_visible(request, case):
            return []
        files = [f for e in selectors.history_for(case=case) for f in e.files.all()]
        return LogFileSerializer(files, many=True, context={"request": request}).data

    @extend_schema(
        summary="The case's documents, with download links", responses=LogFileSerializer(many=True)
    )
    @action(detail=True, methods=["get"], url_path="documents", pagination_class=None, filter_backends=[])
    def documents(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()  # type: ignore[attr-defined]
        return Response(self.case_documents(case, request))


# --- the engine's endpoints: my tasks and the step actions ------------------------------------------------


class TaskSerializer(serializers.ModelSerializer):
    label: Any = serializers.CharField(source="display_label", help_text="The step's name, request language.")
    label_en = serializers.CharField(source="label", help_text="The step's English name.")
    label_zh = serializers.CharField(help_text="The step's Chinese name (empty: none given).")
    case_type = serializers.CharField(source="approval.case_type")
    case_id = serializers.IntegerField(source="approval.object_id")
    case_url = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = StepTask
        fields = [
            "id",
            "label",
            "label_en",
            "label_zh",
            "order",
            "state",
            "assignee_kind",
            "opened_at",
            "due_at",
            "overdue",
            "case_type",
            "case_id",
            "case_url",
        ]

    def get_overdue(self, task) -> bool:
        return task.is_overdue()

    def get_case_url(self, task) -> str:
        case = self.context.get("cases", {}).get(task.pk)
        url = case.get_absolute_url() if case is not None and hasattr(case, "get_absolute_url") else ""
        return _absolute(self.context.get("request"), url)


class StepActionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    field_comments = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    to_user = serializers.CharField(required=False, allow_blank=True, default="", help_text="user name")


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The approval steps waiting for the signed-in user (``?overdue=1``, ``?case_type=``) and actions."""

    serializer_class = TaskSerializer
    queryset = StepTask.objects.none()

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return StepTask.objects.none()
        tasks = selectors.tasks_for(user=self.request.user)
        if self.request.query_params.get("case_type"):
            tasks = tasks.filter(approval__case_type=self.request.query_params["case_type"])
        if self.request.query_params.get("overdue") == "1":
            from django.utils import timezone

            tasks = tasks.filter(due_at__lt=timezone.now())
        return tasks

    def paginate_queryset(self, queryset):
        # The cases of the page being answered are looked up once, for that page only.
        page = super().paginate_queryset(queryset)
        self._page_tasks = list(page) if page is not None else list(queryset)
        return page

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        tasks = getattr(self, "_page_tasks", None)
        if tasks is not None:
            rows = selectors.rows_for_tasks(tasks, user=self.request.user)
            context["cases"] = {r.task.pk: r.case for r in rows if r.task is not None}
        return context

    def _task(self, pk: str | None) -> StepTask:
        task = get_object_or_404(StepTask.objects.select_related("approval"), pk=pk)
        if not (
            permissions.task_acting_for(self.request.user, task)[0]
            or permissions.can_delegate_task(self.request.user, task)
        ):
            from django.http import Http404

            raise Http404
        return task

    def _done(self, task: StepTask) -> Response:
        task.refresh_from_db()
        rows = selectors.rows_for_tasks([task], user=self.request.user)
        cases = {r.task.pk: r.case for r in rows if r.task is not None}
        return Response(TaskSerializer(task, context={"request": self.request, "cases": cases}).data)

    @extend_schema(summary="Approve the step", request=StepActionSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        body = StepActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = services.step_approve(
            task=self._task(pk), actor=request.user, comment=body.validated_data["comment"]
        )
        return self._done(task)

    @extend_schema(
        summary="Return the case for correction (comment and/or field_comments)",
        request=StepActionSerializer,
        responses=TaskSerializer,
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        body = StepActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = services.step_return(
            task=self._task(pk),
            actor=request.user,
            comment=body.validated_data["comment"],
            field_comments=body.validated_data["field_comments"],
        )
        return self._done(task)

    @extend_schema(summary="Reject the case", request=StepActionSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        body = StepActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = services.step_reject(
            task=self._task(pk), actor=request.user, comment=body.validated_data["comment"]
        )
        return self._done(task)

    @extend_schema(
        summary="Delegate the step to another member of staff (to_user: user name)",
        request=StepActionSerializer,
        responses=TaskSerializer,
    )
    @action(detail=True, methods=["post"])
    def delegate(self, request: Request, pk: str | None = None) -> Response:
        body = StepActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        to_user = User.objects.filter(username=body.validated_data["to_user"].strip(), is_active=True).first()
        if to_user is None:
            raise ValidationError({"to_user": ["No active user with this user name."]})
        task = self._task(pk)
        if not permissions.can_delegate_task(request.user, task):
            raise PermissionDeniedError("This approval step is not yours to delegate.")
        task = services.step_delegate(
            task=task, actor=request.user, to_user=to_user, comment=body.validated_data["comment"]
        )
        return self._done(task)


router = DefaultRouter(trailing_slash=True)
router.register("tasks", TaskViewSet, basename="workflow-task")

api_urls = [path("workflow/", include(router.urls))]
