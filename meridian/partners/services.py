"""Every change to partners, their contacts and partner-side units goes through these functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from meridian.accounts.models import OrgUnit, User
from meridian.accounts.permissions import coordinated_unit_ids
from meridian.core.activity import activity_record
from meridian.core.bulk import BulkRowError
from meridian.core.errors import DomainError, DuplicateError, PermissionDeniedError, StaleEditError
from meridian.core.models import Activity
from meridian.core.registry import registry
from meridian.core.text import clean_spaces, half_width, name_key, normalise_domain
from meridian.core.validation import plainly_valid
from meridian.core.versioning import bump_version, ensure_fresh
from meridian.core.websites import is_normal_website
from meridian.partners import permissions
from meridian.partners.models import Partner, PartnerContact, PartnerUnit, Tag
from meridian.reference import erasmus as reference_erasmus

ROR_ID = re.compile(r"^0[a-z0-9]{6}[0-9]{2}$")
ROR_URL_PREFIXES = ("https://ror.org/", "http://ror.org/", "ror.org/")
PIC = re.compile(r"^[0-9]{9}$")
SIX_PLACES = Decimal("0.000001")

# Fields a person edits on the partner form; the stale-edit message compares these.
EDITABLE_FIELDS = [
    "name", "name_en", "name_zh", "acronym", "kind", "country", "province", "city", "latitude", "longitude",
    "website", "ror_id", "erasmus_code", "pic", "schac_code", "other_identifiers", "parent", "status",
    "cooperating_since", "notes", "is_public", "owner_unit",
    "registry_institution",
]  # fmt: skip
# Identifiers and profile fields a merge copies from the duplicate when the survivor lacks them.
MERGE_FILL_FIELDS = [
    "ror_id", "erasmus_code", "pic", "schac_code", "other_identifiers", "website", "name_en", "name_zh",
    "acronym", "province", "city", "latitude", "longitude", "parent", "cooperating_since", "owner_unit",
    "registry_institution",
]  # fmt: skip
UNIQUE_IDENTIFIERS = ("ror_id", "erasmus_code", "pic")


# --- normalisation and validation -----------------------------------------------------------------


def normalise_ror_id(value: str) -> str:
    """ "https://ror.org/038t36y30" → "038t36y30"."""
    value = (value or "").strip()
    for prefix in ROR_URL_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    return value.strip("/").lower()


def erasmus_key(value: str) -> str:
    """Erasmus codes compare without their padding spaces: "D  HEIDELB01" ~ "D HEIDELB01"."""
    return reference_erasmus.erasmus_key(value)


def normalise_erasmus_code(value: str) -> str:
    """The official padded form ("d-heidelb01" → "D  HEIDELB01"); text that is no Erasmus code is kept
    (cleaned, upper-cased) for _validate to refuse with the reason."""
    try:
        return reference_erasmus.normalise_erasmus_code(value) if (value or "").strip() else ""
    except reference_erasmus.ErasmusCodeError:
        return clean_spaces(value).upper()


def _coordinate(value: Any) -> Any:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(SIX_PLACES)
    except (InvalidOperation, ValueError):
        return value  # full_clean reports it as not a number


def _normalise(partner: Partner) -> None:
    # Full-width letters and digits are stored as ASCII ("ＭＩＴ" → "MIT"), see ``half_width``.
    partner.name = clean_spaces(half_width(partner.name))
    partner.name_en = clean_spaces(half_width(partner.name_en))
    partner.name_zh = clean_spaces(half_width(partner.name_zh))
    partner.acronym = clean_spaces(half_width(partner.acronym))
    partner.ror_id = normalise_ror_id(partner.ror_id)
    partner.erasmus_code = normalise_erasmus_code(partner.erasmus_code)
    partner.pic = re.sub(r"\s+", "", partner.pic or "")
    partner.website = (partner.website or "").strip()
    partner.website_domain = normalise_domain(partner.website)
    partner.latitude = _coordinate(partner.latitude)
    partner.longitude = _coordinate(partner.longitude)


def _validate(partner: Partner, *, checked: tuple[str, ...] = ()) -> None:
    """full_clean plus the identifier formats; all problems are reported together, per field.

    ``checked``: fields already known to be valid (a bulk write skips one query per row for a country or
    unit checked once for the whole file)."""
    errors: dict[str, list[str]] = {}
    if partner.ror_id and not ROR_ID.match(partner.ror_id):
        errors["ror_id"] = [_("A ROR ID has nine characters: 0, six letters or digits, then two digits.")]
    if partner.pic and not PIC.match(partner.pic):
        errors["pic"] = [_("A PIC has nine digits.")]
    if partner.erasmus_code:
        try:
            reference_erasmus.normalise_erasmus_code(partner.erasmus_code)
        except reference_erasmus.ErasmusCodeError as exc:
            errors["erasmus_code"] = [exc.message]
    if isinstance(partner.latitude, Decimal) and not -90 <= partner.latitude <= 90:
        errors["latitude"] = [_("Latitude lies between -90 and 90.")]
    if isinstance(partner.longitude, Decimal) and not -180 <= partner.longitude <= 180:
        errors["longitude"] = [_("Longitude lies between -180 and 180.")]
    if partner.pk and partner.parent_id == partner.pk:
        errors["parent"] = [_("A partner cannot be its own parent organisation.")]
    try:
        # Duplicates are reported by _refuse_duplicate with a link to the existing record instead.
        # A bulk check (``checked`` given) leaves uniqueness to the caller's identifier index.
        # A bulk check also leaves out the fields whose values are plainly valid (same outcome, less time).
        exclude = {*checked, *plainly_valid(partner)} if checked else None
        if exclude is not None and _plain_website(partner.website):
            exclude.add("website")
        partner.full_clean(exclude=exclude, validate_unique=not checked, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _plain_website(value: str) -> bool:
    """Whether ``value`` is a website as ``normalise_website`` stores it, within the field's length: such a
    value passes the field's own URL check (a subset of what ``URLValidator`` accepts), so a bulk check need
    not run it again."""
    limit = Partner._meta.get_field("website").max_length
    return bool(value) and len(value) <= limit and "\x00" not in value and is_normal_website(value)


def find_duplicate(
    *,
    ror_id: str = "",
    erasmus_code: str = "",
    pic: str = "",
    website: str = "",
    names: tuple[str, ...] = (),
    country: str = "",
    exclude_pk: int | None = None,
) -> tuple[Partner, str] | None:
    """The partner that already holds one of these identifiers, and the label of the identifier.

    Identifiers first (ROR ID, Erasmus code without its padding, PIC, website domain); then, when
    ``names`` and a ``country`` code are given, a partner in that country whose official, English or
    Chinese name is one of ``names`` spelled another way (same ``meridian.core.text.name_key``: case,
    accents, "ae" for "ä", dashes, "St."/"Saint", Traditional/Simplified Chinese ...), labelled "name".
    Returns None when nothing matches.
    """
    base = Partner.objects.all()
    if exclude_pk is not None:
        base = base.exclude(pk=exclude_pk)
    ror_id = normalise_ror_id(ror_id)
    if ror_id:
        found = base.filter(ror_id=ror_id).first()
        if found:
            return found, _("ROR ID")
    key = erasmus_key(erasmus_code)
    if key:
        # Codes differ only in padding; the first letters before the spaces narrow the scan.
        candidates = base.exclude(erasmus_code="").filter(erasmus_code__istartswith=key[0])
        for candidate in candidates.only("pk", "erasmus_code"):
            if erasmus_key(candidate.erasmus_code) == key:
                return base.get(pk=candidate.pk), _("Erasmus code")
    pic = re.sub(r"\s+", "", pic or "")
    if pic:
        found = base.filter(pic=pic).first()
        if found:
            return found, _("PIC")
    domain = normalise_domain(website)
    if domain:
        found = base.filter(website_domain=domain).first()
        if found:
            return found, _("website domain")
    found = _same_name(base, names, country)
    if found:
        return found, _("name")
    return None


def _same_name(base: models.QuerySet[Partner], names: tuple[str, ...], country: str) -> Partner | None:
    """The oldest partner in `country` with a name that has the name key of one of `names`."""
    wanted = {name_key(name) for name in names if name} - {""}
    if not wanted or not country:
        return None
    rows = base.filter(country_id=country).order_by("pk").values_list("pk", "name", "name_en", "name_zh")
    for pk, *stored in rows.iterator(chunk_size=2000):
        if any(name and name_key(name) in wanted for name in stored):
            return base.get(pk=pk)
    return None


def _refuse_duplicate(partner: Partner, *, check_names: bool = True) -> None:
    """Raise DuplicateError when another partner holds an identifier of `partner` or, with `check_names`,
    has one of its names (spelled another way) in the same country (see ``find_duplicate``)."""
    names = (partner.name, partner.name_en, partner.name_zh) if check_names else ()
    found = find_duplicate(
        ror_id=partner.ror_id,
        erasmus_code=partner.erasmus_code,
        pic=partner.pic,
        website=partner.website,
        names=names,
        country=partner.country_id or "",
        exclude_pk=partner.pk,
    )
    if found:
        raise _duplicate_error(*found)


def _duplicate_error(existing: Partner, label: str) -> DuplicateError:
    """The refusal of a partner whose identifier (named by ``label``) or name ``existing`` already has."""
    return DuplicateError(
        _("A partner with the same %(identifier)s exists already: %(name)s (#%(id)s).")
        % {"identifier": label, "name": existing.display_name, "id": existing.pk},
        existing=existing,
    )


TAG_MAX_LENGTH = 60


def _tag_names(names: list[str]) -> set[str]:
    """Tag names with their spaces cleaned; raises ``ValidationError`` on "tags" for a name over
    ``TAG_MAX_LENGTH`` (60) characters: a long tag is refused, never cut."""
    cleaned = {clean_spaces(n) for n in names if clean_spaces(n)}
    too_long = sorted(n for n in cleaned if len(n) > TAG_MAX_LENGTH)
    if too_long:
        raise ValidationError(
            {
                "tags": _("The tag “%(tag)s” is longer than %(limit)s characters.")
                % {"tag": too_long[0], "limit": TAG_MAX_LENGTH}
            }
        )
    return cleaned


def partner_tag_names(names: list[str]) -> set[str]:
    """The tag names ``partner_create``/``partner_update`` would store for ``names`` (spaces cleaned, blanks
    and repeats dropped); raises ``ValidationError`` on "tags" for a name over 60 characters."""
    return _tag_names(names)


def _set_tags(partner: Partner, names: list[str]) -> None:
    wanted = _tag_names(names)
    tags = [Tag.objects.get_or_create(name=n)[0] for n in sorted(wanted)]
    # Tag changes are written to the activity stream; an extra history row would show no field change.
    partner.skip_history_when_saving = True
    try:
        partner.tags.set(tags)
    finally:
        del partner.skip_history_when_saving


def default_owner_unit(actor: User) -> OrgUnit | None:
    """A coordinator's new partner belongs to the broadest unit they coordinate, so they can edit it later."""
    ids = coordinated_unit_ids(actor)
    return OrgUnit.objects.filter(pk__in=ids).order_by(Length("path"), "path").first()


# --- partners -------------------------------------------------------------------------------------


@transaction.atomic
def partner_create(*, actor: User | None, tags: list[str] | None = None, **fields: Any) -> Partner:
    """Create a partner; refuses a second record with the same ROR ID, Erasmus code, PIC or website domain."""
    if actor is not None and not permissions.can_create_partner(actor):
        raise PermissionDeniedError(_("You may not create partners."))
    unknown = set(fields) - {f.name for f in Partner._meta.fields} - {f.attname for f in Partner._meta.fields}
    if unknown:
        raise DomainError(_("Unknown partner fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    partner = Partner(**fields)
    if actor is not None:
        if partner.owner_unit_id is None and not permissions.can_assign_owner_unit(actor, None):
            partner.owner_unit = default_owner_unit(actor)
        if not permissions.can_assign_owner_unit(actor, partner.owner_unit_id):
            raise PermissionDeniedError(_("You may only give a partner to a unit you coordinate."))
        partner.created_by = actor
    _normalise(partner)
    _validate(partner)
    _refuse_duplicate(partner)
    partner._history_user = actor
    partner.save()
    if tags:
        _set_tags(partner, tags)
    activity_record(
        target=partner,
        verb="created",
        actor=actor,
        message=lambda: _("Created partner %(name)s") % {"name": partner.display_name},
    )
    return partner


@transaction.atomic
def partner_update(
    *,
    partner: Partner,
    actor: User | None,
    expected_version: int | None = None,
    tags: list[str] | None = None,
    **fields: Any,
) -> Partner:
    """Change a partner; a save based on an older version is refused with what changed (StaleEditError)."""
    if actor is not None and not permissions.can_edit_partner(actor, partner):
        raise PermissionDeniedError(_("You may not change this partner."))
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    ensure_fresh(instance=locked, expected_version=expected_version, fields=EDITABLE_FIELDS)
    before = {name: getattr(locked, Partner._meta.get_field(name).attname) for name in EDITABLE_FIELDS}
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS and name.removesuffix("_id") not in EDITABLE_FIELDS:
            raise DomainError(_("Unknown partner field: %(name)s") % {"name": name})
        setattr(locked, name, value)
    if (
        actor is not None
        and locked.owner_unit_id != before["owner_unit"]
        and not permissions.can_assign_owner_unit(actor, locked.owner_unit_id)
    ):
        raise PermissionDeniedError(_("You may only give a partner to a unit you coordinate."))
    _normalise(locked)
    _validate(locked)
    # Names are checked only when they or the country change: an older pair of records with one name must
    # stay editable until it is merged.
    renamed = any(
        name_key(getattr(locked, name)) != name_key(before[name]) for name in ("name", "name_en", "name_zh")
    )
    _refuse_duplicate(locked, check_names=renamed or locked.country_id != before["country"])
    changed = [
        name
        for name in EDITABLE_FIELDS
        if getattr(locked, Partner._meta.get_field(name).attname) != before[name]
    ]
    if tags is not None:
        old_tags = set(locked.tags.values_list("name", flat=True))
        _set_tags(locked, tags)
        if set(locked.tags.values_list("name", flat=True)) != old_tags:
            changed.append("tags")
    bump_version(locked)
    locked._history_user = actor
    locked.save()
    if changed:
        activity_record(
            target=locked,
            verb="updated",
            actor=actor,
            message=lambda: (
                _("Changed %(fields)s")
                % {"fields": ", ".join(str(Partner._meta.get_field(name).verbose_name) for name in changed)}
            ),
        )
    return locked


def _move_other_links(survivor: Partner, duplicate: Partner, handled: set[type[models.Model]]) -> None:
    """Links added by later apps follow the survivor too, without this function having to know them."""
    for relation in Partner._meta.related_objects:
        model = relation.related_model
        if not relation.one_to_many or model in handled or model is Partner:
            continue
        if model.__module__.startswith("simple_history") or model.__name__.startswith("Historical"):
            continue
        model._default_manager.filter(**{relation.field.name: duplicate}).update(
            **{relation.field.name: survivor}
        )


@transaction.atomic
def partner_merge(*, survivor: Partner, duplicate: Partner, actor: User | None) -> Partner:
    """Move every link of `duplicate` to `survivor`, keep what only the duplicate had, delete it.

    Contexts that link to partners move their own links through ``registry.partner_merge_hooks``
    (``merge(source, survivor, actor)``, inside this transaction); any other link found on the duplicate
    follows the survivor generically. Raises PermissionDeniedError for a user who may not merge and
    DomainError for merging a record into itself.
    """
    if actor is not None and not permissions.can_merge_partners(actor):
        raise PermissionDeniedError(
            _("Only administrators and International Office officers merge partners.")
        )
    if survivor.pk == duplicate.pk:
        raise DomainError(_("A partner cannot be merged into itself."))
    locked = {p.pk: p for p in Partner.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])}
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    duplicate_label = f"{duplicate.display_name} (#{duplicate.pk})"

    for contact in PartnerContact.objects.filter(partner=duplicate):
        contact.partner = survivor
        contact.save(update_fields=["partner"])
    PartnerUnit.objects.filter(partner=duplicate).update(partner=survivor)
    handled: set[type[models.Model]] = {PartnerContact, PartnerUnit, Activity}
    for hook in registry.partner_merge_hooks:
        hook.merge(duplicate, survivor, actor)
        handled.update(hook.models())
    Partner.objects.filter(parent=duplicate).exclude(pk=survivor.pk).update(parent=survivor)
    _move_other_links(survivor, duplicate, handled)

    # Identifiers move: clear them on the duplicate first, the unique constraints would refuse two holders.
    taken = {
        name: getattr(duplicate, name)
        for name in UNIQUE_IDENTIFIERS
        if getattr(duplicate, name) and not getattr(survivor, name)
    }
    if taken:
        Partner.objects.filter(pk=duplicate.pk).update(**dict.fromkeys(taken, ""))
    for name in MERGE_FILL_FIELDS:
        field = Partner._meta.get_field(name)
        if getattr(survivor, field.attname) in (None, "") and getattr(duplicate, field.attname) not in (
            None,
            "",
        ):
            setattr(survivor, field.attname, getattr(duplicate, field.attname))
    if survivor.parent_id in (duplicate.pk, survivor.pk):
        survivor.parent_id = duplicate.parent_id if duplicate.parent_id != survivor.pk else None
    if duplicate.notes and duplicate.notes not in survivor.notes:
        survivor.notes = "\n\n".join(filter(None, [survivor.notes, duplicate.notes]))
    if survivor.is_public is False and duplicate.is_public:
        survivor.is_public = True
    _normalise(survivor)

    survivor.skip_history_when_saving = True
    survivor.tags.add(*duplicate.tags.all())
    del survivor.skip_history_when_saving
    # The duplicate's timeline becomes part of the survivor's.
    Activity.objects.filter(
        content_type__app_label="partners", content_type__model="partner", object_id=duplicate.pk
    ).update(object_id=survivor.pk)

    bump_version(survivor)
    survivor._history_user = actor
    survivor._change_reason = f"Merged {duplicate_label}"
    survivor.save()
    duplicate._history_user = actor
    duplicate.delete()
    activity_record(
        target=survivor,
        verb="merged",
        actor=actor,
        message=lambda: _("Merged %(duplicate)s into this record") % {"duplicate": duplicate_label},
    )
    return survivor


# --- contacts and partner-side units ----------------------------------------------------------------


def _require_edit(actor: User | None, partner: Partner) -> None:
    if actor is not None and not permissions.can_edit_partner(actor, partner):
        raise PermissionDeniedError(_("You may not change this partner."))


def _save_contact(contact: PartnerContact) -> None:
    contact.name = clean_spaces(contact.name)
    contact.full_clean()
    contact.save()
    if contact.is_primary:
        PartnerContact.objects.filter(partner_id=contact.partner_id, is_primary=True).exclude(
            pk=contact.pk
        ).update(is_primary=False)


@transaction.atomic
def contact_create(*, partner: Partner, actor: User | None, **fields: Any) -> PartnerContact:
    _require_edit(actor, partner)
    contact = PartnerContact(partner=partner, **fields)
    contact._history_user = actor
    _save_contact(contact)
    activity_record(
        target=partner,
        verb="contact_added",
        actor=actor,
        message=lambda: _("Added contact %(name)s") % {"name": contact.name},
    )
    return contact


@transaction.atomic
def contact_update(*, contact: PartnerContact, actor: User | None, **fields: Any) -> PartnerContact:
    _require_edit(actor, contact.partner)
    for name, value in fields.items():
        setattr(contact, name, value)
    contact._history_user = actor
    _save_contact(contact)
    activity_record(
        target=contact.partner, verb="contact_changed", actor=actor,
        message=lambda: _("Changed contact %(name)s") % {"name": contact.name},
    )  # fmt: skip
    return contact


@transaction.atomic
def contact_delete(*, contact: PartnerContact, actor: User | None) -> None:
    partner = contact.partner
    _require_edit(actor, partner)
    name = contact.name
    contact._history_user = actor
    contact.delete()
    activity_record(
        target=partner,
        verb="contact_removed",
        actor=actor,
        message=lambda: _("Removed contact %(name)s") % {"name": name},
    )


def _save_unit(unit: PartnerUnit) -> None:
    unit.name_en = clean_spaces(unit.name_en)
    unit.name_zh = clean_spaces(unit.name_zh)
    unit.full_clean()
    unit.save()


@transaction.atomic
def partner_unit_create(*, partner: Partner, actor: User | None, **fields: Any) -> PartnerUnit:
    _require_edit(actor, partner)
    unit = PartnerUnit(partner=partner, **fields)
    _save_unit(unit)
    activity_record(
        target=partner,
        verb="unit_added",
        actor=actor,
        message=lambda: _("Added unit %(name)s") % {"name": unit.name_en},
    )
    return unit


@transaction.atomic
def partner_unit_update(*, unit: PartnerUnit, actor: User | None, **fields: Any) -> PartnerUnit:
    _require_edit(actor, unit.partner)
    for name, value in fields.items():
        setattr(unit, name, value)
    _save_unit(unit)
    activity_record(
        target=unit.partner, verb="unit_changed", actor=actor,
        message=lambda: _("Changed unit %(name)s") % {"name": unit.name_en},
    )  # fmt: skip
    return unit


@transaction.atomic
def partner_unit_delete(*, unit: PartnerUnit, actor: User | None) -> None:
    partner = unit.partner
    _require_edit(actor, partner)
    name = unit.name_en
    unit.delete()
    activity_record(
        target=partner,
        verb="unit_removed",
        actor=actor,
        message=lambda: _("Removed unit %(name)s") % {"name": name},
    )


# --- bulk form (spreadsheet imports) --------------------------------------------------------------------

BULK_BATCH = 500
# Foreign keys a bulk write checks once per file (one query per model) instead of once per row.
BULK_CHECKED_RELATIONS = ("country", "owner_unit", "parent", "registry_institution", "created_by")
# Fields a bulk check leaves out of full_clean: those relations, and the primary key's uniqueness (a query).
BULK_CHECKED = ("id", *BULK_CHECKED_RELATIONS)


def partner_check(*, partner: Partner, checked: tuple[str, ...] = ()) -> None:
    """Normalise and validate a new or changed partner exactly as ``partner_create``/``partner_update`` do,
    without writing: field formats, lengths, choices, identifier formats, coordinates (ValidationError).

    The duplicate check is not part of it (it needs the other records, see ``partner_create_bulk``);
    ``checked`` names foreign keys the caller already knows to be valid (no query for them).
    """
    _normalise(partner)
    _validate(partner, checked=checked)


class _IdentifierIndex:
    """Which partner holds each ROR ID, Erasmus code, PIC and website domain, loaded in one query.

    The same rules as ``find_duplicate``, in memory: a bulk write checks every row against the stored
    partners and the rows before it without one query per row.
    """

    def __init__(self) -> None:
        self.holders: dict[tuple[str, str], Partner | int] = {}
        rows = Partner.objects.values_list("pk", "ror_id", "erasmus_code", "pic", "website_domain")
        for pk, ror_id, erasmus_code, pic, domain in rows.iterator(chunk_size=5000):
            for key in self._keys(ror_id, erasmus_code, pic, domain):
                self.holders.setdefault(key, pk)

    @staticmethod
    def _keys(ror_id: str, erasmus_code: str, pic: str, domain: str) -> list[tuple[str, str]]:
        # Stored and checked partners hold normalised identifiers (``_normalise``); Erasmus codes differ in
        # their padding, so they compare by ``erasmus_key``.
        keys = []
        if ror_id:
            keys.append(("ror_id", ror_id))
        if erasmus_code:
            keys.append(("erasmus_code", erasmus_key(erasmus_code)))
        if pic:
            keys.append(("pic", pic))
        if domain:
            keys.append(("website", domain))
        return keys

    def refuse_duplicate(self, partner: Partner) -> None:
        """Raise DuplicateError (as ``_refuse_duplicate``) when another partner holds an identifier."""
        for key in self._keys(partner.ror_id, partner.erasmus_code, partner.pic, partner.website_domain):
            holder = self.holders.get(key)
            if holder is None or holder is partner or holder == partner.pk:
                continue
            existing = holder if isinstance(holder, Partner) else Partner.objects.get(pk=holder)
            labels = {"ror_id": _("ROR ID"), "erasmus_code": _("Erasmus code"), "pic": _("PIC")}
            raise _duplicate_error(existing, labels.get(key[0]) or _("website domain"))

    def add(self, partner: Partner) -> None:
        for key in self._keys(partner.ror_id, partner.erasmus_code, partner.pic, partner.website_domain):
            self.holders[key] = partner

    def discard(self, partner: Partner) -> None:
        """Forget the identifiers ``partner`` (as stored) holds: a change may give them up or to another."""
        for key in self._keys(partner.ror_id, partner.erasmus_code, partner.pic, partner.website_domain):
            holder = self.holders.get(key)
            if holder is partner or holder == partner.pk or getattr(holder, "pk", None) == partner.pk:
                del self.holders[key]


def _check_relations(partners: list[tuple[int, Partner]]) -> None:
    """The foreign keys of many partners, one query per related model (full_clean asks once per row)."""
    for name in BULK_CHECKED_RELATIONS:
        field = Partner._meta.get_field(name)
        wanted = {getattr(p, field.attname) for _key, p in partners} - {None}
        if not wanted:
            continue
        target = field.remote_field.field_name
        related = field.related_model._base_manager.filter(**{f"{target}__in": wanted})
        found = set(related.values_list(target, flat=True))
        for key, partner in partners:
            value = getattr(partner, field.attname)
            if value is not None and value not in found:
                message = field.error_messages["invalid"] % {
                    "model": field.related_model._meta.verbose_name,
                    "pk": value,
                    "field": target,
                    "value": value,
                }
                raise BulkRowError(key, ValidationError({name: [message]}))


def _resolve_tags(names: set[str]) -> dict[str, Tag]:
    """Tags by name, creating the missing ones: a few queries for the whole file."""
    found: dict[str, Tag] = {}
    ordered = sorted(names)
    for start in range(0, len(ordered), BULK_BATCH):
        found.update({t.name: t for t in Tag.objects.filter(name__in=ordered[start : start + BULK_BATCH])})
    missing = [Tag(name=name) for name in ordered if name not in found]
    if missing:
        Tag.objects.bulk_create(missing, batch_size=BULK_BATCH, ignore_conflicts=True)
        for start in range(0, len(missing), BULK_BATCH):
            chunk = [t.name for t in missing[start : start + BULK_BATCH]]
            found.update({t.name: t for t in Tag.objects.filter(name__in=chunk)})
    return found


def _fill_search_text(partners: list[Partner]) -> None:
    """The normalised search column and the name sort keys that ``Partner.save()`` keeps, for rows written by
    ``bulk_create`` or bulk updates."""
    from meridian.partners.search_text import fill_partner_sort_keys, partner_search_text_now

    for partner in partners:
        partner.search_text = partner_search_text_now(partner)
        fill_partner_sort_keys(partner)


@dataclass
class PartnerDrafts:
    """New partners built and checked by ``partner_build_bulk`` but not written yet (see there)."""

    actor: User | None
    keys: list[int]
    partners: list[Partner]
    tag_names: list[set[str]]


def partner_build_bulk(
    *,
    actor: User | None,
    rows: list[tuple[int, dict[str, Any], list[str] | None]],
    checked: dict[int, Partner] | None = None,
) -> PartnerDrafts:
    """The first, read-only half of ``partner_create_bulk``: build every new partner as ``partner_create``
    would, without writing, so that it can run before the write transaction and keep that short.

    ``rows`` are ``(key, fields, tags)``: ``key`` names the row in errors (an import's row number),
    ``fields`` and ``tags`` are what ``partner_create`` takes. Permissions and the default managing unit are
    decided once; each row is normalised and validated as ``partner_create`` does (``partner_check``), its
    search column filled and its creator set. ``checked`` gives, by key, records the caller already built from
    the same fields and checked with ``partner_check(partner=..., checked=BULK_CHECKED)`` (an import's dry
    run): they are used as they are instead of being built and checked again. Raises
    ``BulkRowError(key, error)`` for the first refused
    row, PermissionDeniedError when ``actor`` may not create partners or give them to the requested unit.
    """
    if actor is not None and not permissions.can_create_partner(actor):
        raise PermissionDeniedError(_("You may not create partners."))
    known = {f.name for f in Partner._meta.fields} | {f.attname for f in Partner._meta.fields}
    default_unit: list[OrgUnit | None] = []
    assignable: dict[int | None, bool] = {}
    drafts = PartnerDrafts(actor=actor, keys=[], partners=[], tag_names=[])
    for key, fields, tags in rows:
        unknown = set(fields) - known
        if unknown:
            names = ", ".join(sorted(unknown))
            raise BulkRowError(key, DomainError(_("Unknown partner fields: %(names)s") % {"names": names}))
        prechecked = (checked or {}).get(key)
        partner = prechecked if prechecked is not None else Partner(**fields)
        if actor is not None:
            if partner.owner_unit_id is None and not permissions.can_assign_owner_unit(actor, None):
                if not default_unit:
                    default_unit.append(default_owner_unit(actor))
                partner.owner_unit = default_unit[0]
            unit_id = partner.owner_unit_id
            if unit_id not in assignable:
                assignable[unit_id] = permissions.can_assign_owner_unit(actor, unit_id)
            if not assignable[unit_id]:
                raise PermissionDeniedError(_("You may only give a partner to a unit you coordinate."))
            partner.created_by = actor
        if prechecked is None:
            try:
                partner_check(partner=partner, checked=BULK_CHECKED)
            except (ValidationError, DomainError) as exc:
                raise BulkRowError(key, exc) from exc
        partner._history_user = actor
        drafts.keys.append(key)
        drafts.partners.append(partner)
        drafts.tag_names.append(_tag_names(tags or []))
    _fill_search_text(drafts.partners)
    return drafts


def partner_create_bulk(
    *,
    actor: User | None,
    rows: list[tuple[int, dict[str, Any], list[str] | None]] | None = None,
    drafts: PartnerDrafts | None = None,
    progress: Any = None,
) -> list[Partner]:
    """Create many partners at once: the bulk form of ``partner_create``, with the same records, tags, history
    and activity, written in multi-row INSERTs (``meridian.core.bulk.insert_rows``) in batches of
    ``BULK_BATCH``.

    Give ``rows`` (as for ``partner_build_bulk``), or the ``drafts`` it built earlier for the same ``actor``
    (outside the write transaction). Identifiers are checked against the stored partners and the rows
    before it through an in-memory index (one query), foreign keys once per file, tags resolved once per
    file. Must run inside the caller's transaction (an import's commit): the first refused row raises
    ``BulkRowError(key, error)`` and the caller rolls everything back. Portal figures are invalidated once
    (``meridian.core.bulk``); ``progress(done, total)`` is called after each batch.

    Returns the new partners (with primary keys) in the order of the rows. Raises PermissionDeniedError as
    ``partner_build_bulk`` does, ValueError for drafts built for another actor.
    """
    from django.utils import timezone

    from meridian.core.activity import activity_record_bulk
    from meridian.core.bulk import insert_objects, insert_rows, records_changed_in_bulk

    if drafts is None:
        drafts = partner_build_bulk(actor=actor, rows=rows or [])
    elif drafts.actor != actor:
        raise ValueError("partner drafts built for another actor")
    index = _IdentifierIndex()
    for key, partner in zip(drafts.keys, drafts.partners, strict=True):
        try:
            index.refuse_duplicate(partner)
        except DomainError as exc:
            raise BulkRowError(key, exc) from exc
        index.add(partner)
    _check_relations(list(zip(drafts.keys, drafts.partners, strict=True)))
    partners = drafts.partners
    tags = _resolve_tags(set().union(*drafts.tag_names))
    through = Partner.tags.through
    history = Partner.history.model
    tracked = [f.attname for f in history.tracked_fields]  # type: ignore[attr-defined]
    for start in range(0, len(partners), BULK_BATCH):
        batch = partners[start : start + BULK_BATCH]
        insert_objects(batch)
        # As partner_create: one "created" history row, before tags are set (tag changes are activity).
        when = timezone.now()
        user_id = getattr(actor, "pk", None)
        insert_rows(
            history,
            [
                {
                    **{name: getattr(partner, name) for name in tracked},
                    "history_date": when,
                    "history_change_reason": None,
                    "history_type": "+",
                    "history_user_id": user_id,
                }
                for partner in batch
            ],
        )
        links = [
            {"partner_id": partner.pk, "tag_id": tags[name].pk}
            for partner, names in zip(batch, drafts.tag_names[start : start + BULK_BATCH], strict=True)
            for name in sorted(names)
        ]
        insert_rows(through, links)
        if progress is not None:
            progress(start + len(batch), len(partners))
    activity_record_bulk(
        targets=partners,
        verb="created",
        actor=actor,
        message=lambda partner: _("Created partner %(name)s") % {"name": cast(Partner, partner).display_name},
    )
    records_changed_in_bulk(Partner)
    return partners


@dataclass
class PartnerChange:
    """One change for ``partner_update_bulk``.

    ``key`` names the change in errors (an import's row number); ``partner`` is the record as it was read
    when the change was planned (its ``version`` is the one the change is based on); ``fields`` are the
    values to set, as ``partner_update`` takes them; ``tags`` the complete new list of tag names (None:
    tags stay); ``checked`` that record with ``fields`` set, already normalised and checked with
    ``partner_check`` (None: built and checked here).
    """

    key: int
    partner: Partner
    fields: dict[str, Any]
    tags: list[str] | None = None
    checked: Partner | None = None


def _stale(partner: Partner) -> StaleEditError:
    return StaleEditError(
        message=_(
            "%(name)s was changed by someone else after the file was checked; check the file again to see "
            "the current values."
        )
        % {"name": partner.display_name},
    )


def partner_update_bulk(
    *, actor: User | None, changes: list[PartnerChange], progress: Any = None
) -> list[Partner]:
    """Change many partners at once: the bulk form of ``partner_update``, with the same records, tags, history
    (one "~" row per partner, with its tags) and activity ("Changed <fields>"), written in grouped UPDATEs and
    multi-row INSERTs.

    Must run inside the caller's transaction (an import's commit). Each change is checked as
    ``partner_update`` checks it: permission to edit (and to give the partner to another unit), known
    fields, normalised and valid values, identifiers held by no other partner, and names not taken by
    another partner of the same country when names or country change. A partner whose version moved since
    the change was planned (someone else saved it meanwhile) is refused with ``StaleEditError``: nothing is
    overwritten. The versions are read with ``SELECT … FOR UPDATE`` where the database has it (PostgreSQL);
    SQLite's write transaction already excludes other writers.

    Raises ``BulkRowError(key, error)`` for the first refused change (the caller rolls everything back).
    ``progress(done, total)`` is called after each batch of ``BULK_BATCH``. Returns the changed partners in
    the order of ``changes``. Portal figures are invalidated once, and ``records_updated_in_bulk`` tells
    other contexts which partners changed (agreements follow renamed partners in their search text).
    """
    from django.utils import timezone

    from meridian.core.activity import activity_record_bulk
    from meridian.core.bulk import insert_rows, records_changed_in_bulk, records_updated_in_bulk, update_rows

    if not changes:
        return []
    editable = set(EDITABLE_FIELDS) | {f"{name}_id" for name in EDITABLE_FIELDS}
    attnames = {name: Partner._meta.get_field(name).attname for name in EDITABLE_FIELDS}
    updated: list[Partner] = []
    for change in changes:
        stored = change.partner
        if actor is not None and not permissions.can_edit_partner(actor, stored):
            raise BulkRowError(change.key, PermissionDeniedError(_("You may not change this partner.")))
        unknown = sorted(set(change.fields) - editable)
        if unknown:
            message = _("Unknown partner field: %(name)s") % {"name": unknown[0]}
            raise BulkRowError(change.key, DomainError(message))
        partner = change.checked
        if partner is None:
            partner = Partner(
                **{f.attname: getattr(stored, f.attname) for f in Partner._meta.concrete_fields}
            )
            for name, value in change.fields.items():
                setattr(partner, name, value)
            unchanged = {f.name for f in Partner._meta.concrete_fields} - set(change.fields)
            try:
                partner_check(partner=partner, checked=(*BULK_CHECKED, *sorted(unchanged)))
            except ValidationError as exc:
                raise BulkRowError(change.key, exc) from exc
        if (
            actor is not None
            and partner.owner_unit_id != stored.owner_unit_id
            and not permissions.can_assign_owner_unit(actor, partner.owner_unit_id)
        ):
            message = _("You may only give a partner to a unit you coordinate.")
            raise BulkRowError(change.key, PermissionDeniedError(message))
        partner._state.adding = False
        partner._loaded_search_names = stored.search_names()
        updated.append(partner)

    # Someone else's save since the change was planned wins: this import is refused, nothing overwritten.
    ids = [change.partner.pk for change in changes]
    versions: dict[int, int] = {}
    for start in range(0, len(ids), BULK_BATCH):
        rows = Partner.objects.filter(pk__in=ids[start : start + BULK_BATCH]).select_for_update()
        versions.update(rows.values_list("pk", "version"))
    for change in changes:
        if versions.get(change.partner.pk) != change.partner.version:
            raise BulkRowError(change.key, _stale(change.partner))

    # Identifiers are checked in order against the stored partners and the changes before (one index for the
    # batch, as one partner_update after another would see them); names when names or the country change.
    identifier_fields = {"ror_id", "erasmus_code", "pic", "website"}
    changed_fields: dict[int, list[str]] = {}
    for change, partner in zip(changes, updated, strict=True):
        stored = change.partner
        changed_fields[partner.pk] = [
            name
            for name in EDITABLE_FIELDS
            if getattr(partner, attnames[name]) != getattr(stored, attnames[name])
        ]
    moves = any(identifier_fields.intersection(names) for names in changed_fields.values())
    index = _IdentifierIndex() if moves else None
    for change, partner in zip(changes, updated, strict=True):
        stored = change.partner
        renamed = any(
            name_key(getattr(partner, n)) != name_key(getattr(stored, n))
            for n in ("name", "name_en", "name_zh")
        )
        try:
            if index is not None:
                index.discard(stored)
                index.refuse_duplicate(partner)
                index.add(partner)
            if renamed or partner.country_id != stored.country_id:
                names = (partner.name, partner.name_en, partner.name_zh)
                found = find_duplicate(names=names, country=partner.country_id or "", exclude_pk=partner.pk)
                if found:
                    raise _duplicate_error(*found)
        except DomainError as exc:
            raise BulkRowError(change.key, exc) from exc
    _check_relations([(change.key, partner) for change, partner in zip(changes, updated, strict=True)])

    # Tags: the links each partner should have, resolved once for the whole file.
    through = Partner.tags.through
    wanted_tags = {
        change.partner.pk: _tag_names(change.tags) for change in changes if change.tags is not None
    }
    tags = _resolve_tags(set().union(*wanted_tags.values())) if wanted_tags else {}
    links: dict[int, dict[str, int]] = {}  # partner id → tag name → link id (after the change)
    for start in range(0, len(ids), BULK_BATCH):
        rows = through.objects.filter(partner_id__in=ids[start : start + BULK_BATCH])
        for link_id, partner_id, tag_name in rows.values_list("pk", "partner_id", "tag__name"):
            links.setdefault(partner_id, {})[tag_name] = link_id
    removed: list[int] = []
    added: list[dict[str, int]] = []
    for pk, names in wanted_tags.items():
        current = links.get(pk, {})
        if set(current) == names:
            continue
        changed_fields[pk].append("tags")
        removed += [link_id for name, link_id in current.items() if name not in names]
        added += [{"partner_id": pk, "tag_id": tags[name].pk} for name in sorted(names - set(current))]
    for start in range(0, len(removed), BULK_BATCH):
        through.objects.filter(pk__in=removed[start : start + BULK_BATCH]).delete()
    new_links = insert_rows(through, added, returning_pk=True)
    by_id = {tag.pk: name for name, tag in tags.items()}
    for pk, names in wanted_tags.items():
        links[pk] = {name: link_id for name, link_id in links.get(pk, {}).items() if name in names}
    for row, link_id in zip(added, new_links, strict=True):
        links[row["partner_id"]][by_id[row["tag_id"]]] = link_id

    # The records: a new version, the change time and the search column, as save() writes them.
    now = timezone.now()
    for partner in updated:
        bump_version(partner)
        partner.updated_at = now
    _fill_search_text(updated)
    written = [f.attname for f in Partner._meta.concrete_fields if not f.primary_key]
    history = Partner.history.model
    tracked = [f.attname for f in history.tracked_fields]  # type: ignore[attr-defined]
    # The tags each history row had (simple_history's m2m snapshot, as save() writes it).
    history_tags = apps.get_model(history._meta.app_label, f"{history.__name__}_tags")
    user_id = getattr(actor, "pk", None)
    tag_ids = {name: tag.pk for name, tag in tags.items()}
    for start in range(0, len(updated), BULK_BATCH):
        batch = updated[start : start + BULK_BATCH]
        update_rows(Partner, written, [(p.pk, [getattr(p, name) for name in written]) for p in batch])
        history_ids = insert_rows(
            history,
            [
                {
                    **{name: getattr(partner, name) for name in tracked},
                    "history_date": now,
                    "history_change_reason": None,
                    "history_type": "~",
                    "history_user_id": user_id,
                }
                for partner in batch
            ],
            returning_pk=True,
        )
        missing = {name for p in batch for name in links.get(p.pk, {})} - set(tag_ids)
        if missing:
            tag_ids.update(Tag.objects.filter(name__in=sorted(missing)).values_list("name", "pk"))
        insert_rows(
            history_tags,
            [
                {"id": link_id, "partner_id": p.pk, "tag_id": tag_ids[name], "history_id": history_id}
                for p, history_id in zip(batch, history_ids, strict=True)
                for name, link_id in sorted(links.get(p.pk, {}).items())
            ],
        )
        if progress is not None:
            progress(start + len(batch), len(updated))

    def activity_text(partner: Partner) -> str:
        names = changed_fields[partner.pk]
        return _("Changed %(fields)s") % {
            "fields": ", ".join(str(Partner._meta.get_field(name).verbose_name) for name in names)
        }

    activity_record_bulk(
        targets=[p for p in updated if changed_fields[p.pk]],
        verb="updated",
        actor=actor,
        message=activity_text,  # type: ignore[arg-type]
    )
    records_changed_in_bulk(Partner)
    records_updated_in_bulk(Partner, updated)
    for partner in updated:
        partner._loaded_search_names = partner.search_names()
    return updated


@transaction.atomic
def partner_logo_set(*, partner: Partner, actor: User | None, logo: Any | None) -> Partner:
    """Replace a partner's logo with ``logo`` (a file already cleaned by ``logos.logo_clean``: a PNG), or
    remove it when ``logo`` is None. The old file is deleted once the change is committed.

    Raises ``PermissionDeniedError`` when ``actor`` may not change the partner."""
    if actor is not None and not permissions.can_edit_partner(actor, partner):
        raise PermissionDeniedError(_("You may not change this partner."))
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    old = locked.logo.name if locked.logo else ""
    if logo is None and not old:
        return locked
    if logo is None:
        locked.logo = ""
    else:
        locked.logo.save("logo.png", logo, save=False)
    bump_version(locked)
    locked._history_user = actor
    locked.save()
    if old:
        storage = locked.logo.storage
        transaction.on_commit(lambda: storage.delete(old))
    activity_record(
        target=locked,
        verb="updated",
        actor=actor,
        message=lambda: _("Removed the logo") if logo is None else _("Changed the logo"),
    )
    partner.logo = locked.logo
    partner.version = locked.version
    return locked
