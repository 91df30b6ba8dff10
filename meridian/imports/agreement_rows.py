"""Importing agreement rows: resolve partners, unit and channels; plan creates and updates; apply them."""

from __future__ import annotations

from collections import deque
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from meridian.core.errors import DomainError
from meridian.core.text import fold, normalise_domain
from meridian.imports import columns as c
from meridian.imports import parsing as p
from meridian.imports.engine import PlannedRow, RowImporter, differs
from meridian.imports.partner_rows import PartnerIndex, erasmus_key
from meridian.imports.report import CREATE, UNCHANGED, UPDATE

IN_CHUNKS = 500


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
    kind = c.AGREEMENTS

    def prepare(self, rows: list[tuple[int, list[object]]]) -> None:
        from meridian.accounts.models import OrgUnit
        from meridian.agreements.choices import AgreementState, AgreementType, Channel

        self.partners = PartnerIndex(with_tags=False)
        self.units: dict[str, Any] = {}
        for unit in OrgUnit.objects.all():
            for key in (unit.code, unit.name_en, unit.name_zh):
                if key:
                    self.units.setdefault(c.header_key(key), unit)
        self.lookups = {
            "kind": c.choice_lookup(AgreementType, "kind:agreements"),
            "state": c.choice_lookup(AgreementState, "state:agreements"),
            "channels": c.choice_lookup(Channel, "channel"),
        }
        self.existing_by_number: dict[str, Any] = {}
        self.existing_by_title: dict[str, list[Any]] = {}
        self._load_existing(rows)
        self.seen_numbers: dict[str, int] = {}
        self.seen_signatures: dict[tuple, int] = {}

    def _load_existing(self, rows: list[tuple[int, list[object]]]) -> None:
        from meridian.agreements.models import Agreement

        positions = {col.field: i for i, col in self.columns.items()}
        numbers: set[str] = set()
        titles: set[str] = set()
        for _number, raw in rows:
            for name, bucket in (("number", numbers), ("title_en", titles)):
                index = positions.get(name)
                if index is not None and index < len(raw) and not p.is_blank(raw[index]):
                    bucket.add(p.as_text(raw[index]))
        queryset = Agreement.objects.select_related("responsible_unit").prefetch_related(
            "parties", "channels"
        )
        for lookup, values in (("number__in", sorted(numbers)), ("title_en__in", sorted(titles))):
            for start in range(0, len(values), IN_CHUNKS):
                for agreement in queryset.filter(**{lookup: values[start : start + IN_CHUNKS]}):
                    self.existing_by_number[agreement.number] = agreement
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
        for partner in candidates:
            if partner is not None:
                return partner
        named = {partner.pk: partner for partner in index.by_name.get(fold(ref), [])}
        if len(named) == 1:
            return next(iter(named.values()))
        if len(named) > 1:
            raise p.CellError(
                _("“%(value)s” names more than one partner; use its ROR ID, Erasmus code or PIC")
                % {"value": ref}
            )
        if "." in ref and normalise_domain(ref) in index.by_domain:
            return index.by_domain[normalise_domain(ref)]
        raise p.CellError(_("no partner called “%(value)s”; import the partner first") % {"value": ref})

    def _match(self, fields: dict[str, Any], partners: list[Any]) -> Any:
        number = fields.get("number")
        if number:
            return self.existing_by_number.get(number)
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
        from meridian.agreements.choices import AgreementState
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
        if state == AgreementState.RENEWED:
            self.report.problem(
                number, self.header("state"), _("renewed agreements cannot be imported; import the successor")
            )
            return None
        signature = (
            fold(fields["title_en"]),
            fields["kind"],
            fields["responsible_unit"].pk,
            frozenset(partner.pk for partner in partners),
        )
        if fields.get("number"):
            first = self.seen_numbers.setdefault(fields["number"], number)
        else:
            first = self.seen_signatures.setdefault(signature, number)
        if first != number:
            column = self.header("number") if fields.get("number") else ""
            self.report.problem(number, column, _("the same agreement as row %(row)s") % {"row": first})
            return None

        existing = self._match(fields, partners)
        label = fields.get("number") or fields["title_en"]
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
                )
            except DomainError as exc:
                # The state column asked for this move, so that is the column to point at.
                raise ValidationError({"state": [exc.message]}) from exc
        return agreement
