"""Spreadsheet import of agreements: the columns, the row handler, and its registration as an import kind.

Rows name their partners (ROR ID, Erasmus code, PIC, name or website), unit and channels; creates, updates and
the lifecycle moves to the requested state go through the agreement services when an import is committed.
A dry run plans and checks every row in memory (``AgreementImporter.check``): it writes nothing and takes no
write lock.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.accounts.permissions import can_write_university
from meridian.agreements.choices import AgreementState, AgreementType, Channel
from meridian.core.errors import DomainError, PermissionDeniedError, TransitionError
from meridian.core.registry import ImportKind, registry
from meridian.core.tabular import columns as c
from meridian.core.tabular import parsing as p
from meridian.core.tabular.engine import PlannedRow, RowImporter, differs
from meridian.core.tabular.report import CREATE, UNCHANGED, UPDATE
from meridian.core.text import code_key, fold, name_key, normalise_domain
from meridian.partners.import_rows import PartnerIndex, erasmus_key

KIND = "agreements"
IN_CHUNKS = 500

# Chinese (and a few English) words for choice values, so that imports work without compiled translations.
AGREEMENT_TYPE_WORDS: dict[str, str] = {
    "谅解备忘录": "mou",
    "合作备忘录": "mou",
    "框架协议": "mou",
    "备忘录": "mou",
    "mou": "mou",
    "谅解备忘录/框架协议": "mou",
    "学生交流": "student_exchange",
    "学生交流协议": "student_exchange",
    "学生交换": "student_exchange",
    "学生交换协议": "student_exchange",
    "交换生": "student_exchange",
    "交换生协议": "student_exchange",
    "教师交流": "staff_exchange",
    "人员交流": "staff_exchange",
    "教职工交流": "staff_exchange",
    "联合培养": "joint_education",
    "合作办学": "joint_education",
    "联合培养项目": "joint_education",
    "科研合作": "research",
    "研究合作": "research",
    "联合实验室": "joint_lab",
    "联合研发中心": "joint_lab",
    "联合实验室或研发中心": "joint_lab",
    "进修培训": "advanced_training",
    "进修": "advanced_training",
    "培训": "advanced_training",
    "国际会议合作": "conference",
    "会议合作": "conference",
    "政府间合作": "government",
    "政府合作": "government",
    "伊拉斯谟+校际协议": "erasmus_iia",
    "伊拉斯谟协议": "erasmus_iia",
    "erasmus+ iia": "erasmus_iia",
    "erasmus iia": "erasmus_iia",
    "iia": "erasmus_iia",
    "其他": "other",
}

AGREEMENT_STATE_WORDS: dict[str, str] = {
    "草稿": "draft",
    "审核中": "under_review",
    "审批中": "under_review",
    "待审核": "under_review",
    "已批准": "approved",
    "已审批": "approved",
    "生效": "active",
    "有效": "active",
    "已签署": "active",
    "生效中": "active",
    "active": "active",
    "已到期": "expired",
    "过期": "expired",
    "已过期": "expired",
    "已终止": "terminated",
    "终止": "terminated",
    "已续签": "renewed",
}

CHANNEL_WORDS: dict[str, str] = {
    "进修培训": "advanced_training",
    "进修": "advanced_training",
    "培训": "advanced_training",
    "科研合作": "research",
    "研究合作": "research",
    "学生交流": "student_exchange",
    "教师交流": "staff_exchange",
    "教职工交流": "staff_exchange",
    "staff exchange": "staff_exchange",
    "联合培养": "joint_education",
    "合作办学": "joint_education",
    "会议合作": "conference",
    "国际会议": "conference",
    "政府合作": "government",
    "政府间合作": "government",
    "联合实验室": "joint_lab",
    "联合研发中心": "joint_lab",
    "联合实验室/研发中心": "joint_lab",
    "文化交流": "cultural",
    "国际学生招生": "recruitment",
    "留学生招生": "recruitment",
    "招生": "recruitment",
}


def agreement_columns() -> list[c.Column]:
    """The columns an agreement spreadsheet may have, with English and Chinese headers and synonyms."""
    return [
        c.Column("number", "Number", "协议编号", synonyms=("Agreement number", "编号")),
        c.Column(
            "title_en", "Title (English)", "英文标题", required=True, synonyms=("English title", "Title")
        ),
        c.Column("title_zh", "Title (Chinese)", "中文标题", synonyms=("Chinese title",)),
        c.Column(
            "kind", "Type", "协议类型", c.CHOICE, required=True, choices=AgreementType, synonyms=("类型",)
        ),
        c.Column(
            "partners",
            "Partners",
            "合作方",
            c.PARTNER_REFS,
            required=True,
            synonyms=("Partner", "合作伙伴", "合作机构"),
        ),
        c.Column("channels", "Channels", "合作渠道", c.CHANNELS, synonyms=("Cooperation channels", "渠道")),
        c.Column(
            "responsible_unit",
            "Responsible unit",
            "负责单位",
            c.UNIT,
            required=True,
            synonyms=("Unit", "责任单位"),
        ),
        c.Column("start_date", "Start date", "开始日期", c.DATE, synonyms=("生效日期",)),
        c.Column("end_date", "End date", "结束日期", c.DATE, synonyms=("到期日期", "截止日期")),
        c.Column("state", "State", "状态", c.CHOICE, choices=AgreementState, synonyms=("协议状态",)),
        c.Column(
            "auto_renew", "Auto renew", "自动续签", c.BOOL, synonyms=("Renews automatically", "自动续约")
        ),
        c.Column(
            "renewal_notice_days",
            "Notice period (days)",
            "提前通知天数",
            c.INT,
            synonyms=("Notice period", "通知期"),
        ),
        c.Column(
            "languages", "Languages", "文本语言", c.LANGUAGES, synonyms=("Languages of the text", "语言")
        ),
        c.Column("description", "Description", "说明", synonyms=("描述", "备注", "Notes")),
    ]


def state_path(start: str, target: str) -> list[str] | None:
    """The shortest list of lifecycle actions from `start` to `target` (renewal and return excluded)."""
    from meridian.agreements.permissions import TRANSITIONS

    if start == target:
        return []
    queue: deque[tuple[str, list[str]]] = deque([(start, [])])
    seen = {start}
    while queue:
        state, path = queue.popleft()
        for action, (starts, to_state, _coordinators) in TRANSITIONS.items():
            if action in ("renew", "return") or state not in starts or to_state in seen:
                continue
            if to_state == target:
                return [*path, action]
            seen.add(to_state)
            queue.append((to_state, [*path, action]))
    return None


class AgreementImporter(RowImporter):
    kind = KIND

    @classmethod
    def declared_columns(cls) -> list[c.Column]:
        return agreement_columns()

    def prepare(self, rows: list[tuple[int, list[object]]]) -> None:
        from meridian.accounts.models import OrgUnit

        self.partners = PartnerIndex(with_tags=False)
        self.units: dict[str, Any] = {}
        for unit in OrgUnit.objects.all():
            for key in (unit.code, unit.name_en, unit.name_zh):
                if key:
                    self.units.setdefault(c.header_key(key), unit)
        self.lookups = {
            "kind": c.choice_lookup(AgreementType, AGREEMENT_TYPE_WORDS),
            "state": c.choice_lookup(AgreementState, AGREEMENT_STATE_WORDS),
            "channels": c.choice_lookup(Channel, CHANNEL_WORDS),
        }
        self.existing_by_number: dict[str, Any] = {}
        self.existing_by_title: dict[str, list[Any]] = {}
        self._load_existing(rows)
        self.seen_numbers: dict[str, int] = {}
        self.seen_signatures: dict[tuple, int] = {}
        # Numbers the checked rows of this file create (explicit or generated), by ``code_key``, as stored.
        self.planned_numbers: dict[str, str] = {}
        # Generated numbers: the next sequence after the stored numbers, by prefix ("2026-SE-"), and the
        # highest sequence the checked rows use, by the prefix's ``code_key``.
        self.stored_next: dict[str, int] = {}
        self.file_highest: dict[str, int] = {}

    def _load_existing(self, rows: list[tuple[int, list[object]]]) -> None:
        """The stored agreements the file's numbers (any case, width or dash, see ``code_key``) and titles
        name, with their parties and channels, in a few queries."""
        from meridian.agreements.models import Agreement

        positions = {col.field: i for i, col in self.columns.items()}
        numbers: set[str] = set()
        titles: set[str] = set()
        for _number, raw in rows:
            for name, bucket in (("number", numbers), ("title_en", titles)):
                index = positions.get(name)
                if index is not None and index < len(raw) and not p.is_blank(raw[index]):
                    bucket.add(p.as_text(raw[index]))
        wanted = {code_key(number) for number in numbers}
        ids = sorted(
            pk for pk, stored in Agreement.objects.values_list("pk", "number") if code_key(stored) in wanted
        )
        queryset = Agreement.objects.select_related("responsible_unit").prefetch_related(
            "parties", "channels"
        )
        for lookup, values in (("pk__in", ids), ("title_en__in", sorted(titles))):
            for start in range(0, len(values), IN_CHUNKS):
                for agreement in queryset.filter(**{lookup: values[start : start + IN_CHUNKS]}):
                    self.existing_by_number[code_key(agreement.number)] = agreement
                    self.existing_by_title.setdefault(fold(agreement.title_en), []).append(agreement)

    def resolve(self, column: c.Column, value: object) -> Any:
        if column.parse == c.CHOICE:
            return p.parse_choice(value, self.lookups[column.field])
        if column.parse == c.UNIT:
            text = p.as_text(value)
            unit = self.units.get(c.header_key(text))
            if unit is None:
                raise p.CellError(_("“%(value)s” is not a unit of the university") % {"value": text})
            return unit
        if column.parse == c.CHANNELS:
            channels = []
            for part in p.parse_list(value):
                channels.append(p.parse_choice(part, self.lookups["channels"]))
            return sorted(set(channels))
        if column.parse == c.PARTNER_REFS:
            return [self._partner(ref) for ref in p.partner_refs(value)]
        raise p.CellError(_("cannot be read"))

    def _partner(self, ref: str) -> Any:
        index = self.partners
        candidates = (
            index.by_ror.get(ref.lower().rsplit("/", 1)[-1]),
            index.by_erasmus.get(erasmus_key(ref)),
            index.by_pic.get(ref),
        )
        for pk in candidates:
            if pk is not None:
                return index.get(pk)
        named = {partner.pk: partner for partner in index.named(name_key(ref))}
        if len(named) == 1:
            return next(iter(named.values()))
        if len(named) > 1:
            raise p.CellError(
                _("“%(value)s” names more than one partner; use its ROR ID, Erasmus code or PIC")
                % {"value": ref}
            )
        if "." in ref and normalise_domain(ref) in index.by_domain:
            return index.get(index.by_domain[normalise_domain(ref)])
        raise p.CellError(_("no partner called “%(value)s”; import the partner first") % {"value": ref})

    def _match(self, fields: dict[str, Any], partners: list[Any]) -> Any:
        number = fields.get("number")
        if number:
            return self.existing_by_number.get(code_key(number))
        # Without a number, the same title, type, unit and parties mean the same agreement.
        wanted = {partner.pk for partner in partners}
        for agreement in self.existing_by_title.get(fold(fields["title_en"]), []):
            if (
                agreement.kind == fields["kind"]
                and agreement.responsible_unit_id == fields["responsible_unit"].pk
                and {party.partner_id for party in agreement.parties.all()} == wanted
            ):
                return agreement
        return None

    def plan(self, number: int, values: dict[str, Any]) -> PlannedRow | None:
        from meridian.agreements.models import Agreement

        partners = values.pop("partners")
        channels = values.pop("channels", None)
        state = values.pop("state", None)
        fields = values
        if len({partner.pk for partner in partners}) != len(partners):
            self.report.problem(number, self.header("partners"), _("names the same partner twice"))
            return None
        start, end = fields.get("start_date"), fields.get("end_date")
        if start and end and end <= start:
            self.report.problem(
                number, self.header("end_date"), _("the end date must be after the start date")
            )
            return None
        signature = (
            fold(fields["title_en"]),
            fields["kind"],
            fields["responsible_unit"].pk,
            frozenset(partner.pk for partner in partners),
        )
        if fields.get("number"):
            first = self.seen_numbers.setdefault(code_key(fields["number"]), number)
        else:
            first = self.seen_signatures.setdefault(signature, number)
        if first != number:
            column = self.header("number") if fields.get("number") else ""
            self.report.problem(number, column, _("the same agreement as row %(row)s") % {"row": first})
            return None

        existing = self._match(fields, partners)
        label = fields.get("number") or fields["title_en"]
        renewing = state == AgreementState.RENEWED and (existing is None or existing.state != state)
        if renewing:
            # Renewal links an agreement to its successor, which a spreadsheet row cannot express; an
            # agreement stored as renewed (an exported list read back) is left as it is.
            self.report.problem(
                number, self.header("state"), _("renewed agreements cannot be imported; import the successor")
            )
            return None
        if existing is None:
            target = state or AgreementState.DRAFT
            if not self.validate_model(number, Agreement(**fields), set(fields) - {"responsible_unit"}):
                return None
            return PlannedRow(
                row=number,
                action=CREATE,
                label=label,
                fields=fields,
                extra={
                    "partners": partners,
                    "channels": channels or [],
                    "path": state_path(AgreementState.DRAFT, target),
                },
            )

        changed = {k: v for k, v in fields.items() if differs(getattr(existing, k), v)}
        if "number" in changed and code_key(changed["number"]) == code_key(existing.number):
            changed.pop("number")  # the number as the stored record writes it is kept
        partners_change = {pt.pk for pt in partners} != {party.partner_id for party in existing.parties.all()}
        channels_change = channels is not None and sorted(channels) != sorted(
            ch.channel for ch in existing.channels.all()
        )
        path: list[str] = []
        if state is not None and state != existing.state:
            found = state_path(existing.state, state)
            if found is None:
                self.report.problem(
                    number,
                    self.header("state"),
                    _("cannot move from “%(from)s” to “%(to)s”")
                    % {"from": existing.get_state_display(), "to": AgreementState(state).label},
                )
                return None
            path = found
        candidate = Agreement(
            **{f.attname: getattr(existing, f.attname) for f in Agreement._meta.concrete_fields}
        )
        for key, value in changed.items():
            setattr(candidate, key, value)
        if not self.validate_model(number, candidate, set(changed) - {"responsible_unit"}):
            return None
        changes = [self.header(k) for k in changed]
        changes += [self.header("partners")] if partners_change else []
        changes += [self.header("channels")] if channels_change else []
        changes += [self.header("state")] if path else []
        return PlannedRow(
            row=number,
            action=UPDATE if changes else UNCHANGED,
            label=existing.number,
            instance=existing,
            fields=changed,
            changes=changes,
            extra={
                "partners": partners if partners_change else None,
                "channels": channels if channels_change else None,
                "path": path,
            },
        )

    # The dry run plans in memory: ``check`` finds what the services would refuse, without writing. ------

    plans_in_memory = True

    def check(self, planned: PlannedRow) -> bool:
        """Validate a planned create or update the way ``apply`` would have it refused, without writing.

        In the services' order: the fields the row sets (model validation), who may create or edit it, the
        rules across fields (``services._validate``), the channels, the number (generated as the service
        would; no other agreement of the database or of this file may have it under ``code_key``), and each
        lifecycle move to the requested state (state, who may take it, its guards, with the planned parties).
        Problems are reported with the columns and messages the services' errors give; returns False then.
        """
        from meridian.agreements.models import Agreement

        if planned.action == CREATE:
            candidate = Agreement(**planned.fields)
        else:
            stored = planned.instance
            candidate = Agreement(
                **{f.attname: getattr(stored, f.attname) for f in Agreement._meta.concrete_fields}
            )
            for key, value in planned.fields.items():
                setattr(candidate, key, value)
        given = set(planned.fields) - {"responsible_unit"}
        names = {f.name for f in candidate._meta.get_fields() if getattr(f, "concrete", False)}
        try:
            candidate.full_clean(
                exclude=list(names - given), validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            self.report_validation(planned.row, exc)
            return False
        try:
            number = self._check_write(candidate, planned)
            self._check_path(candidate, planned)
        except (DomainError, ValidationError) as exc:
            self.report_error(planned.row, exc)
            return False
        if number:
            self._remember_number(number)
        return True

    def _check_write(self, candidate: Any, planned: PlannedRow) -> str:
        """What ``agreement_create`` / ``agreement_update`` refuse; returns the number a create will store."""
        from meridian.agreements import permissions, services
        from meridian.agreements.models import Agreement

        extra, actor = planned.extra, self.actor
        if planned.action == CREATE:
            if actor is not None:
                probe = Agreement(responsible_unit=planned.fields["responsible_unit"])
                if not permissions.can_create_agreement(actor) or not permissions.can_edit_agreement(
                    actor, probe
                ):
                    raise PermissionDeniedError(_("You may not create agreements for this unit."))
            services._validate(candidate, extra["partners"])
            services._check_channels(extra["channels"])
            candidate.number = candidate.number or self._generated_number(planned.fields)
            self._check_number(candidate.number)
            return candidate.number
        if not (planned.fields or extra["partners"] is not None or extra["channels"] is not None):
            return ""  # only the state moves: no update is written
        if actor is not None and not permissions.can_edit_agreement(actor, planned.instance):
            raise PermissionDeniedError(_("You may not edit this agreement in its current state."))
        if actor is not None and not permissions.can_edit_agreement(actor, candidate):
            raise PermissionDeniedError(_("You may not move this agreement to a unit outside your reach."))
        services._validate(candidate, extra["partners"])
        if extra["channels"] is not None:
            services._check_channels(extra["channels"])
        if "number" in planned.fields:
            self._check_number(candidate.number)
            return candidate.number
        return ""

    def _check_path(self, candidate: Any, planned: PlannedRow) -> None:
        """Each move of the planned path as ``agreement_transition(review=False)`` checks it, on the record as
        the row leaves it; a refusal is a ValidationError on the state column (as ``apply`` reports it)."""
        from meridian.agreements import services
        from meridian.agreements.casework import AGREEMENT
        from meridian.workflow.services import _blockers

        path = planned.extra["path"] or []
        if not path:
            return
        partners = planned.extra["partners"]
        if partners is not None:
            party_ids = [partner.pk for partner in partners]
        else:
            party_ids = [party.partner_id for party in planned.instance.parties.all()]
        case = _PlannedCase(candidate, party_ids)
        actor = self.actor
        for action in path:
            move = AGREEMENT.transition(action)
            try:
                services._check_move(case, actor, action)
                if actor is not None and not (getattr(actor, "is_authenticated", False) and actor.is_active):
                    raise PermissionDeniedError(
                        _("You may not %(move)s %(case)s.")
                        % {"move": str(move.label).lower(), "case": AGREEMENT.title(case)}
                    )
                reasons = _blockers(case, AGREEMENT, move, approval=None)
                if reasons:
                    raise TransitionError(" ".join(reasons), code="move_blocked")
            except DomainError as exc:
                raise ValidationError({"state": [exc.message]}) from exc
            candidate.state = move.target

    def _generated_number(self, fields: dict[str, Any]) -> str:
        """The number ``agreement_create`` will generate for this row, after the stored numbers and the
        numbers of the rows before it (``agreement_number_next`` is asked once per prefix)."""
        from meridian.agreements import services

        year = (fields.get("start_date") or timezone.localdate()).year
        prefix = f"{year}-{services.KIND_CODES.get(fields['kind'], 'OT')}-"
        if prefix not in self.stored_next:
            first = services.agreement_number_next(kind=fields["kind"], year=year)
            self.stored_next[prefix] = int(first[len(prefix) :])
        sequence = max(self.stored_next[prefix], self.file_highest.get(code_key(prefix), 0) + 1)
        return f"{prefix}{sequence:04d}"

    def _check_number(self, number: str) -> None:
        """Refuse a number that a stored agreement or an earlier row of this file has under ``code_key``."""
        from meridian.agreements import services

        key = code_key(number)
        stored = self.existing_by_number.get(key)
        other = stored.number if stored is not None else self.planned_numbers.get(key)
        if other is not None:
            raise ValidationError({"number": [services.number_taken_message(other)]})

    def _remember_number(self, number: str) -> None:
        key = code_key(number)
        self.planned_numbers[key] = number
        head, dash, tail = key.rpartition("-")
        if dash and tail.isascii() and tail.isdigit():
            self.file_highest[head + dash] = max(self.file_highest.get(head + dash, 0), int(tail))

    def apply(self, planned: PlannedRow) -> Any:
        from meridian.agreements import services

        extra = planned.extra
        if planned.action == CREATE:
            agreement = services.agreement_create(
                actor=self.actor, partners=extra["partners"], channels=extra["channels"], **planned.fields
            )
        elif planned.fields or extra["partners"] is not None or extra["channels"] is not None:
            agreement = services.agreement_update(
                agreement=planned.instance,
                actor=self.actor,
                partners=extra["partners"],
                channels=extra["channels"],
                **planned.fields,
            )
        else:
            agreement = planned.instance
        for action in extra["path"] or []:
            try:
                agreement = services.agreement_transition(
                    agreement=agreement,
                    actor=self.actor,
                    action=action,
                    comment=_("Imported from a spreadsheet"),
                    # A spreadsheet records decisions already taken: no approval chain is started for them.
                    review=False,
                )
            except DomainError as exc:
                # The state column asked for this move, so that is the column to point at.
                raise ValidationError({"state": [exc.message]}) from exc
        return agreement


class _PlannedParties:
    """The parties a planned row gives an agreement, answering what the lifecycle's guards ask."""

    def __init__(self, partner_ids: list[int]) -> None:
        self.partner_ids = partner_ids

    def exists(self) -> bool:
        return bool(self.partner_ids)

    def count(self) -> int:
        return len(self.partner_ids)


class _PlannedCase:
    """An agreement as a planned row leaves it, for the lifecycle's checks: its fields from the unsaved
    candidate record, its parties from the plan; nothing is read from or written to the database."""

    def __init__(self, agreement: Any, partner_ids: list[int]) -> None:
        self._agreement = agreement
        self.parties = _PlannedParties(partner_ids)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._agreement, name)


def can_import_agreements(user) -> bool:
    """Importing may change any agreement: it takes a university-wide write role (officer, administrator)."""
    return can_write_university(user)


registry.import_kinds.add(
    ImportKind(
        key=KIND,
        label=gettext_lazy("Agreements"),
        handler=lambda: AgreementImporter,
        permission=can_import_agreements,
        order=20,
    )
)
