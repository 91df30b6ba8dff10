"""Records the workflow engine keeps for every case type: the move log, approval chains and their runs,
watchers, deputies, and the workflow-owned organisation config (unit functions and posts)."""

from __future__ import annotations

from django.conf import settings
from django.conf import settings as django_settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.core.i18n import localised
from meridian.core.storage import private_storage as shared_private_storage
from meridian.workflow.choices import (
    ApprovalState,
    AssigneeKind,
    DueUnit,
    PostKind,
    RuleSeverity,
    TaskState,
    UnitFunctionCode,
)


def private_storage() -> Storage:
    """Attached files live outside MEDIA_ROOT and are served only through the permission-checked view."""
    return shared_private_storage()


class CaseRef(models.Model):
    """A reference to a case of any type (generic foreign key)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True


class TransitionLog(CaseRef):
    """One move of a case or one action on an approval step: who (for whom), when, from → to, and why."""

    case_type = models.CharField(_("case type"), max_length=40, db_index=True)
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=40)
    to_state = models.CharField(_("to"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    field_comments = models.JSONField(_("comments per field"), default=dict, blank=True)
    step_task = models.ForeignKey(
        "StepTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="log_entries"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]
        verbose_name = _("case log entry")
        verbose_name_plural = _("case log")

    def __str__(self) -> str:
        return f"{self.case_type}#{self.object_id} {self.action}: {self.from_state} → {self.to_state}"

    @property
    def is_step_action(self) -> bool:
        return self.step_task_id is not None


def _log_file_path(instance: TransitionLogFile, filename: str) -> str:
    # The stored name never reuses the uploaded name: no path tricks, no clashes.
    return f"workflow/{instance.entry.case_type}/{instance.entry.object_id}/{instance.sha256[:24]}"


class TransitionLogFile(models.Model):
    entry = models.ForeignKey(TransitionLog, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_log_file_path, storage=private_storage, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("attached file")
        verbose_name_plural = _("attached files")

    def __str__(self) -> str:
        return self.original_name


class UnitFunction(models.Model):
    """Which organisational unit performs a university function (finance, HR, research or legal office)."""

    code = models.CharField(_("function"), max_length=20, choices=UnitFunctionCode.choices, unique=True)
    unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("unit function")
        verbose_name_plural = _("unit functions")

    def __str__(self) -> str:
        return f"{self.get_code_display()}: {self.unit}"


class UnitPost(models.Model):
    """A post a person holds on a unit for casework: its leader, or its foreign-affairs secretary."""

    unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    post = models.CharField(_("post"), max_length=20, choices=PostKind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "user", "post"], name="unique_unit_post")]
        verbose_name = _("unit post")
        verbose_name_plural = _("unit posts")

    def __str__(self) -> str:
        return f"{self.get_post_display()} @ {self.unit}: {self.user}"


class Deputy(models.Model):
    """``deputy`` covers ``principal``'s approval tasks from ``starts_on`` to ``ends_on`` (inclusive)."""

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person away"), on_delete=models.CASCADE, related_name="+"
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="+"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="deputy_dates_in_order"
            )
        ]
        verbose_name = _("deputy")
        verbose_name_plural = _("deputies")

    def __str__(self) -> str:
        return f"{self.deputy} for {self.principal} {self.starts_on}–{self.ends_on}"


class Watch(CaseRef):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="unique_watch")
        ]

    def __str__(self) -> str:
        return f"{self.user} watches {self.content_type_id}#{self.object_id}"


class ApprovalChain(models.Model):
    """An approval chain for one case type, for every unit (``unit`` empty) or for one unit and its subunits.

    The chain itself only names the scope; its steps live in immutable versions.
    """

    case_type = models.CharField(_("case type"), max_length=40, db_index=True)
    unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for the chain every unit uses unless it has its own."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_type", "name"]
        verbose_name = _("approval chain")
        verbose_name_plural = _("approval chains")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language: the Chinese name on Chinese pages when there is one."""
        return localised(self.name, self.name_zh)


class ApprovalChainVersion(models.Model):
    """An immutable set of steps; editing a chain publishes a new version, running cases keep theirs."""

    chain = models.ForeignKey(ApprovalChain, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)

    class Meta:
        ordering = ["chain", "-number"]
        constraints = [models.UniqueConstraint(fields=["chain", "number"], name="unique_chain_version")]
        verbose_name = _("approval chain version")
        verbose_name_plural = _("approval chain versions")

    def __str__(self) -> str:
        return f"{self.chain} v{self.number}"


class ApprovalStep(models.Model):
    """A step of a chain version. Steps with the same ``order`` run in parallel; a lower order runs first."""

    version = models.ForeignKey(ApprovalChainVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("order"))
    label = models.CharField(_("name"), max_length=200)
    label_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    assignee_kind = models.CharField(_("who decides"), max_length=30, choices=AssigneeKind.choices)
    function = models.CharField(_("office"), max_length=20, choices=UnitFunctionCode.choices, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A list of {"field", "op", "value"}, all of which must hold (see conditions.py); empty: always.
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    due_amount = models.PositiveIntegerField(_("due within"), null=True, blank=True)
    due_unit = models.CharField(
        _("unit of time"), max_length=20, choices=DueUnit.choices, default=DueUnit.DAYS
    )

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")

    def __str__(self) -> str:
        return f"{self.order}. {self.display_label}"

    @property
    def display_label(self) -> str:
        """The step's name in the reader's language (the Chinese name on Chinese pages when there is one)."""
        return localised(self.label, self.label_zh)


class CaseApproval(CaseRef):
    """One run of a chain version on a case. A returned case starts a new run on the same version."""

    case_type = models.CharField(max_length=40, db_index=True)
    chain_version = models.ForeignKey(ApprovalChainVersion, on_delete=models.PROTECT, related_name="runs")
    state = models.CharField(max_length=20, choices=ApprovalState.choices, default=ApprovalState.RUNNING)
    round = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "state"])]

    def __str__(self) -> str:
        return f"{self.case_type}#{self.object_id} round {self.round} ({self.state})"


class StepTask(models.Model):
    """A step of a run: who may decide (resolved when the run starts), by when, and what they decided."""

    approval = models.ForeignKey(CaseApproval, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(ApprovalStep, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField()
    # The step's names as they were when the run started (a later chain version does not rename them).
    label = models.CharField(max_length=200)
    label_zh = models.CharField(max_length=200, blank=True)
    assignee_kind = models.CharField(max_length=30, choices=AssigneeKind.choices)
    state = models.CharField(
        max_length=20, choices=TaskState.choices, default=TaskState.WAITING, db_index=True
    )
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="workflow_tasks", blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acted_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    field_comments = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["approval", "order", "id"]
        indexes = [models.Index(fields=["state", "due_at"])]

    def __str__(self) -> str:
        return f"{self.display_label} ({self.state})"

    @property
    def display_label(self) -> str:
        """The step's name in the reader's language (the Chinese name on Chinese pages when there is one)."""
        return localised(self.label, self.label_zh)

    def is_overdue(self, now=None) -> bool:
        return (
            self.state == TaskState.OPEN and self.due_at is not None and self.due_at < (now or timezone.now())
        )


class RuleSetVersion(models.Model):
    """A published, immutable version of a context's rule set ("travel", "visitors", …).

    Exactly one version per context is current; publishing a new one never changes the old ones, and a case
    records the number of the version it was checked against.
    """

    context = models.CharField(_("rule pack"), max_length=40, db_index=True)
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        # Not `settings`: inside this class body mypy resolves that name to the reverse accessor
        # RuleSetting.version adds (related_name="settings"), not to django.conf.settings.
        django_settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        ordering = ["context", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["context", "number"], name="unique_rule_set_version"),
            models.UniqueConstraint(
                fields=["context"], condition=models.Q(is_current=True), name="one_current_rule_set"
            ),
        ]
        verbose_name = _("rule-set version")
        verbose_name_plural = _("rule-set versions")

    def __str__(self) -> str:
        return f"{self.context} v{self.number}"


class RuleSetting(models.Model):
    """How one rule behaves in one rule-set version: on or off, its severity, parameters and source."""

    version = models.ForeignKey(RuleSetVersion, on_delete=models.CASCADE, related_name="settings")
    code = models.CharField(_("rule"), max_length=80)
    enabled = models.BooleanField(_("in force"), default=True)
    severity = models.CharField(_("severity"), max_length=10, choices=RuleSeverity.choices)
    # Parameter values by name, as JSON (decimals as strings); names the rule does not declare are ignored.
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    source_document = models.CharField(_("document number"), max_length=300, blank=True)
    source_article = models.CharField(_("article"), max_length=200, blank=True)
    source_url = models.URLField(_("link"), max_length=500, blank=True)

    class Meta:
        ordering = ["version", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_rule_setting")]
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")

    def __str__(self) -> str:
        return f"{self.version} {self.code}"
