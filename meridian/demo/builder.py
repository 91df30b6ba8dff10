"""Builds the demo data set through the same services people use, with the demo administrator as actor."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from meridian.accounts.models import OrgUnit, User
from meridian.agreements.choices import AgreementState, Side
from meridian.agreements.models import Agreement, AgreementPartner
from meridian.core.models import Activity, Notification
from meridian.core.text import fold
from meridian.demo.casework import (
    approve_all,
    build_waiting_agreements,
    configure_casework,
    remove_casework,
)
from meridian.demo.mobility import build_mobility, remove_mobility
from meridian.demo.organisation import (
    DEMO_PARTNER_ORGANISATION,
    DEMO_USER_PREFIX,
    Organisation,
    build_organisation,
)
from meridian.demo.partners_data import PARTNERS, Fact
from meridian.demo.plan import AgreementPlan, plan_agreements
from meridian.demo.travel import build_travel, remove_travel
from meridian.demo.visitors import build_visitors, remove_visitors
from meridian.demo.vocabulary import (
    CONTACT_LANGUAGE,
    CONTACT_POSITIONS,
    COUNTRY_LANGUAGE,
    HOME_SIGNATORIES,
    NAMES,
    PARTNER_SIGNATORY_TITLES,
)
from meridian.partners.choices import RelationshipStatus
from meridian.partners.models import Partner, PartnerContact
from meridian.reference.models import Country

S = AgreementState
DEFAULT_SEED = 2026
ASEAN = {"TH", "SG", "MY", "ID", "VN", "KH", "PH", "LA", "MM", "BN"}
ERASMUS = {"DE", "FR", "IT", "ES", "NL", "SE", "FI", "DK", "NO", "BE", "AT", "IE", "PT", "PL", "CZ"}


@dataclass
class Summary:
    partners: int
    agreements: int
    countries: int


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


class Builder:
    def __init__(self, *, org: Organisation, seed: int, today: date) -> None:
        self.org = org
        self.rng = random.Random(seed)
        self.today = today
        self.actor = org.admin
        self.partners: list[Partner] = []
        self.contacts: dict[int, PartnerContact] = {}
        self.agreements: dict[int, Agreement] = {}
        # Agreements of the schools planned as "under review": submitted last, left at each review step;
        # the schools' drafts can stand in when the draw planned too few.
        self.waiting: list[Agreement] = []
        self.drafts: list[Agreement] = []
        self.agreement_ct = ContentType.objects.get_for_model(Agreement)
        self.partner_ct = ContentType.objects.get_for_model(Partner)

    # --- people ---

    def _person(self, country: str) -> tuple[str, str]:
        return self.rng.choice(NAMES[COUNTRY_LANGUAGE.get(country, "other")])

    # --- partners ---

    def build_partners(self, plans: list[AgreementPlan]) -> None:
        from meridian.partners.services import contact_create, partner_create

        finals: dict[int, set[str]] = {}
        since: dict[int, date] = {}
        for plan in plans:
            final = {plan.state} | ({plan.successor_state} if plan.successor_state else set())
            for index in plan.partners:
                finals.setdefault(index, set()).update(final)
                if plan.start and plan.start <= self.today and plan.state not in (S.DRAFT, S.UNDER_REVIEW):
                    since[index] = min(since.get(index, plan.start), plan.start)
        consortium_members = {i for p in plans if len(p.partners) > 1 for i in p.partners}
        joint_degree = {p.partners[0] for p in plans if p.kind == "joint_education"}
        for index, fact in enumerate(PARTNERS):
            states = finals.get(index, set())
            if S.ACTIVE in states:
                status = RelationshipStatus.ACTIVE
            elif states & {S.EXPIRED, S.RENEWED}:
                status = RelationshipStatus.DORMANT
            elif S.TERMINATED in states:
                status = RelationshipStatus.FORMER
            else:
                status = RelationshipStatus.PROSPECT
            tags = []
            if fact.country in ERASMUS and fact.kind == "university":
                tags.append("Erasmus+")
            if fact.country in ASEAN:
                tags.append("ASEAN")
            if index in consortium_members:
                tags.append("consortium")
            if index in joint_degree:
                tags.append("double degree")
            partner = partner_create(
                actor=self.actor,
                tags=tags,
                name=fact.name,
                name_en=fact.name_en,
                name_zh=fact.name_zh,
                acronym=fact.acronym,
                kind=fact.kind,
                country_id=fact.country,
                province=fact.province,
                city=fact.city,
                latitude=fact.latitude,
                longitude=fact.longitude,
                website=fact.website,
                status=status,
                cooperating_since=since.get(index),
                is_public=self.rng.random() < (0.8 if fact.kind == "university" else 0.5),
                owner_unit=self.org.office,
            )
            self.partners.append(partner)
            self.contacts[index] = self._contacts(partner, fact, contact_create)

    def _contacts(
        self, partner: Partner, fact: Fact, contact_create: Callable[..., PartnerContact]
    ) -> PartnerContact:
        primary = None
        demo_contact = fact.name_en == DEMO_PARTNER_ORGANISATION
        for number in range(1 if demo_contact else self.rng.choice([1, 1, 2])):
            first, last = self._person(fact.country)
            language = CONTACT_LANGUAGE.get(COUNTRY_LANGUAGE.get(fact.country, ""), "en")
            contact = contact_create(
                partner=partner,
                actor=self.actor,
                name=f"{first} {last}",
                position=CONTACT_POSITIONS[(len(self.partners) + number) % len(CONTACT_POSITIONS)],
                email=f"{fold(first)}.{fold(last)}@example.org".replace(" ", "-"),
                preferred_language=language if self.rng.random() < 0.5 else "en",
                is_primary=number == 0,
            )
            primary = primary or contact
        if demo_contact:
            user = self.org.users["demo-partner"]
            primary = contact_create(
                partner=partner,
                actor=self.actor,
                name=str(user),
                position="International Relations Officer",
                email=user.email,
                preferred_language="en",
                user=user,
            )
        return primary

    # --- agreements ---

    def _unit(self, plan: AgreementPlan) -> OrgUnit:
        if not plan.unit:
            return self.org.office
        school = self.org.schools[plan.unit]
        children = [u for u in self.org.units.values() if u.parent_id == school.pk]
        if children and self.rng.random() < 0.3:
            return self.rng.choice(children)
        return school

    def _coordinator(self, unit: OrgUnit) -> User:
        engineering = self.org.schools["engineering"]
        if unit.pk == engineering.pk or unit.parent_id == engineering.pk:
            return self.org.users["demo-coordinator"]
        return self.org.users["demo-officer"]

    def _signatories(self, plan: AgreementPlan, partners: list[Partner], signed: date) -> list[dict]:
        name, title = HOME_SIGNATORIES[0 if plan.kind in ("mou", "government") or len(partners) > 1 else 1]
        result = [{"side": Side.HOME, "name": name, "title": title, "signed_on": signed}]
        for partner in partners:
            first, last = self._person(partner.country_id)
            result.append(
                {
                    "side": Side.PARTNER,
                    "partner": partner,
                    "name": f"{first} {last}",
                    "title": self.rng.choice(PARTNER_SIGNATORY_TITLES[partner.kind]),
                    "signed_on": min(signed + timedelta(days=self.rng.randint(0, 21)), self.today),
                }
            )
        return result

    def _moves(self, plan: AgreementPlan) -> tuple[date, list[tuple[str, date]]]:
        """When the agreement was entered and when each move happened, never in the future."""
        today, rng = self.today, self.rng
        if plan.state in (S.DRAFT, S.UNDER_REVIEW, S.APPROVED):
            created = today - timedelta(days=rng.randint(20, 120))
            steps = {S.DRAFT: [], S.UNDER_REVIEW: ["submit"], S.APPROVED: ["submit", "approve"]}[plan.state]
            return created, [(a, created + timedelta(days=7 * (i + 1))) for i, a in enumerate(steps)]
        start = plan.start or today
        created = min(start, today) - timedelta(days=rng.randint(60, 150))
        moves = [("submit", created + timedelta(days=14)), ("approve", created + timedelta(days=40))]
        moves.append(("activate", min(start, today - timedelta(days=1))))
        if plan.state == S.EXPIRED or (plan.state == S.RENEWED and plan.end and plan.end < today):
            moves.append(("expire", plan.end + timedelta(days=1)))
        if plan.state == S.TERMINATED:
            moves.append(("terminate", today - timedelta(days=rng.randint(3, 200))))
        if plan.state == S.RENEWED:
            moves.append(("renew", min(today, (plan.end or today) - timedelta(days=30))))
        # Keep the moves in order and in the past.
        ordered, last = [], created
        for action, day in moves:
            day = min(max(day, last + timedelta(days=1)), today)
            ordered.append((action, day))
            last = day
        return created, ordered

    def _backdate(self, agreement: Agreement, created: date, moves: list[tuple[str, date]]) -> None:
        Activity.objects.filter(
            content_type=self.agreement_ct, object_id=agreement.pk, verb="created"
        ).update(created_at=_at(created))
        log = agreement.transitions.all()
        now = timezone.now()
        for index, (action, day) in enumerate(moves):
            # Moves of one day keep their order: ten minutes apart, the review's steps in the minutes before
            # the approval they led to (never later than now; equal times keep the order they were made in).
            at = min(_at(day) + timedelta(minutes=10 * index), now)
            log.filter(action=action).update(at=at)
            if action == "approve":
                steps = list(
                    log.filter(action__startswith="step_").order_by("-id").values_list("pk", flat=True)
                )
                for minutes, pk in enumerate(steps, start=1):
                    log.filter(pk=pk).update(at=min(at - timedelta(minutes=minutes), now))
            Activity.objects.filter(
                content_type=self.agreement_ct, object_id=agreement.pk, verb=action
            ).update(created_at=_at(day))
        if moves:
            Agreement.objects.filter(pk=agreement.pk).update(state_changed_at=_at(moves[-1][1]))

    def build_agreements(self, plans: list[AgreementPlan]) -> None:
        from meridian.agreements.services import agreement_create, agreement_renew

        for plan in plans:
            partners = [self.partners[i] for i in plan.partners]
            unit = self._unit(plan)
            created, moves = self._moves(plan)
            activation = next((day for action, day in moves if action == "activate"), None)
            agreement = agreement_create(
                actor=self.actor,
                partners=partners,
                channels=plan.channels,
                signatories=self._signatories(plan, partners, activation) if activation else None,
                title_en=plan.title_en,
                title_zh=plan.title_zh,
                kind=plan.kind,
                responsible_unit=unit,
                home_coordinator=self._coordinator(unit),
                start_date=plan.start,
                end_date=plan.end,
                auto_renew=plan.auto_renew,
                renewal_notice_days=plan.notice_days,
                languages=plan.languages,
                description=plan.description,
                umbrella=self.agreements[plan.umbrella] if plan.umbrella is not None else None,
            )
            for index in plan.partners:
                AgreementPartner.objects.filter(agreement=agreement, partner=self.partners[index]).update(
                    coordinator=self.contacts[index]
                )
            if plan.state == S.UNDER_REVIEW and plan.unit:
                # Submitted at the end, once every chain and post is in place (see build_waiting).
                self._backdate(agreement, created, [])
                self.agreements[plan.key] = agreement
                self.waiting.append(agreement)
                continue
            if plan.state == S.DRAFT and plan.unit and plan.umbrella is None:
                self.drafts.append(agreement)
            for action, _day in moves:
                if action == "renew":
                    successor = agreement_renew(agreement=agreement, actor=self.actor)
                    self._successor(plan, successor, partners, _day)
                else:
                    comment = plan.comment if action == "terminate" else ""
                    self._move(agreement, action, comment)
            self._backdate(agreement, created, moves)
            self.agreements[plan.key] = agreement

    def _move(self, agreement: Agreement, action: str, comment: str = "") -> None:
        """One historical move; an approval is decided step by step when a review chain runs."""
        from meridian.agreements.services import agreement_transition
        from meridian.workflow.selectors import approval_for

        if action == "approve":
            approval = approval_for(case=agreement)
            if approval is not None and approval.state == "running":
                approve_all(agreement, users=self.org.users)
                return
        agreement_transition(agreement=agreement, actor=self.actor, action=action, comment=comment)

    def build_waiting(self) -> None:
        """Submit the schools' agreements under review and leave them at each step of the review."""
        build_waiting_agreements(org=self.org, agreements=self.waiting, drafts=self.drafts)

    def _successor(
        self, plan: AgreementPlan, successor: Agreement, partners: list[Partner], renewed: date
    ) -> None:
        from meridian.agreements.services import agreement_update

        steps = {S.ACTIVE: ["submit", "approve", "activate"], S.UNDER_REVIEW: ["submit"], S.DRAFT: []}
        actions = steps[plan.successor_state or S.DRAFT]
        moves = [(a, min(self.today, renewed + timedelta(days=10 * (i + 1)))) for i, a in enumerate(actions)]
        if "activate" in actions:
            signed = moves[-1][1]
            agreement_update(
                agreement=successor, actor=self.actor, signatories=self._signatories(plan, partners, signed)
            )
        for action, _day in moves:
            self._move(successor, action)
        self._backdate(successor, renewed, moves)


def build_demo(*, seed: int = DEFAULT_SEED, password: str, today: date | None = None) -> Summary:
    """Build the whole demo data set in one transaction."""
    if not Country.objects.exists():
        call_command("load-reference", verbosity=0, stdout=io.StringIO())
    today = today or timezone.localdate()
    with transaction.atomic():
        last_notification = Notification.objects.aggregate(top=Max("pk"))["top"] or 0
        org = build_organisation(password=password)
        configure_casework(org=org, today=today)
        builder = Builder(org=org, seed=seed, today=today)
        plans = plan_agreements(rng=builder.rng, facts=PARTNERS, today=today, subjects=org.subjects)
        builder.build_partners(plans)
        builder.build_agreements(plans)
        # The history was notified as it was built; keep only what waits for people now, and mail nothing.
        built = Notification.objects.filter(pk__gt=last_notification)
        built.delete()
        builder.build_waiting()
        build_travel(org=org, today=today)
        build_visitors(org=org, today=today)
        build_mobility(org=org, today=today)
        built.update(email_wanted=False)
        partner_ids = [p.pk for p in builder.partners]
        Partner.objects.filter(pk__in=partner_ids).update(is_demo=True)
        Agreement.objects.filter(partners__in=partner_ids).update(is_demo=True)
        agreements = Agreement.objects.filter(is_demo=True)
        return Summary(
            partners=len(partner_ids),
            agreements=agreements.count(),
            countries=Partner.objects.filter(is_demo=True).values("country").distinct().count(),
        )


@transaction.atomic
def remove_demo() -> None:
    """Delete the demo partners, agreements and users (the organisational units stay)."""
    from django.contrib.auth import get_user_model

    remove_mobility()  # applications and mobilities protect the travel demo's person of demo-student
    remove_travel()
    remove_visitors()
    agreements = Agreement.objects.filter(is_demo=True)
    agreement_ids = list(agreements.values_list("pk", flat=True))
    partner_ids = list(Partner.objects.filter(is_demo=True).values_list("pk", flat=True))
    remove_casework(agreement_ids=agreement_ids)
    # Umbrella and renewal links protect their targets; cut them first so the set can go at once.
    agreements.update(umbrella=None, renews=None)
    agreements.delete()
    Partner.objects.filter(pk__in=partner_ids).update(parent=None)
    Partner.objects.filter(pk__in=partner_ids).delete()
    Activity.objects.filter(
        content_type=ContentType.objects.get_for_model(Agreement), object_id__in=agreement_ids
    ).delete()
    Activity.objects.filter(
        content_type=ContentType.objects.get_for_model(Partner), object_id__in=partner_ids
    ).delete()
    get_user_model().objects.filter(username__startswith=DEMO_USER_PREFIX).delete()
