"""Seat allocation by rank and preference (serial dictatorship), in plain Python without the database.

Applicants are taken one by one in rank order; each gets the first of their preferences that they are
eligible for and that still has a free place, or goes on the waiting list. This is the rule of the Erasmus
selection practice ("places are allocated in order of the ranking, following each student's preferences")
and the allocation Chinese universities publish for exchange places: the best-ranked student chooses first.
It is deterministic (the same input always gives the same result) and every outcome can be explained
preference by preference:

- ``offered``: the place obtained;
- ``taken``: every place there went to higher-ranked applicants (``by_rank``: the rank of the last one who
  got a place there; None when the destination has no places at all);
- ``not_eligible``: the applicant does not meet the destination's requirements (e.g. its language level);
- ``not_reached``: ranked below the place obtained, so never considered;
- ``waitlisted``: nothing was free; the applicant waits for this destination (``by_rank`` as for ``taken``).

``locked`` assignments (places accepted, or offered and not yet answered) keep their seats in a
re-allocation: they are counted first, and only the remaining places are allocated.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

OFFERED = "offered"
TAKEN = "taken"
NOT_ELIGIBLE = "not_eligible"
NOT_REACHED = "not_reached"
WAITLISTED = "waitlisted"


@dataclass(frozen=True)
class Applicant:
    """One applicant: ``id`` (any hashable key), ``rank`` (1 = best; shown in explanations),
    ``preferences`` (destination ids, first choice first) and ``ineligible`` (destinations among them the
    applicant does not qualify for)."""

    id: int
    rank: int
    preferences: tuple[int, ...]
    ineligible: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Reason:
    """Why one preference did or did not become the applicant's place."""

    preference: int  # 1 = first choice
    destination: int
    outcome: str
    by_rank: int | None = None

    def as_dict(self) -> dict:
        return {
            "preference": self.preference,
            "destination": self.destination,
            "outcome": self.outcome,
            "by_rank": self.by_rank,
        }


@dataclass(frozen=True)
class Outcome:
    """The result for one applicant: ``destination`` (None = waiting list), ``preference`` obtained
    (1-based, None when waitlisted or locked outside the preferences), ``reasons`` for every preference,
    ``locked`` when the seat was kept from before."""

    applicant: int
    destination: int | None
    preference: int | None
    reasons: tuple[Reason, ...] = ()
    locked: bool = False

    @property
    def waitlisted(self) -> bool:
        return self.destination is None

    def explanation(self) -> list[dict]:
        return [reason.as_dict() for reason in self.reasons]


def _unique(preferences: Iterable[int]) -> list[int]:
    seen: set[int] = set()
    kept = []
    for destination in preferences:
        if destination not in seen:
            seen.add(destination)
            kept.append(destination)
    return kept


def allocate(
    applicants: Sequence[Applicant],
    capacities: Mapping[int, int],
    locked: Mapping[int, int] | Iterable[tuple[int, int]] = (),
) -> dict[int, Outcome]:
    """Allocate places to ``applicants`` (given in rank order, best first) against ``capacities``
    (``{destination id: places}``; a destination missing from it has no places).

    ``locked`` (``{applicant id: destination id}``) are seats kept from before: they are taken first and the
    locked applicants are not moved. Returns ``{applicant id: Outcome}`` for every applicant. A repeated
    preference is ignored. Raises ``ValueError`` when an applicant id appears twice or a capacity is negative.
    Runs in O(applicants × preferences).
    """
    locked_seats = dict(locked.items() if isinstance(locked, Mapping) else locked)
    ids = [a.id for a in applicants]
    if len(set(ids)) != len(ids):
        raise ValueError("Each applicant may appear only once.")
    if any(places < 0 for places in capacities.values()):
        raise ValueError("A destination cannot have fewer than 0 places.")
    rank_of = {a.id: a.rank for a in applicants}
    used: dict[int, int] = {}
    last_rank: dict[int, int] = {}  # the worst (highest) rank holding a place at each destination

    def hold(destination: int, rank: int | None) -> None:
        used[destination] = used.get(destination, 0) + 1
        if rank is not None and rank > last_rank.get(destination, 0):
            last_rank[destination] = rank

    outcomes: dict[int, Outcome] = {}
    for applicant_id, destination in locked_seats.items():
        hold(destination, rank_of.get(applicant_id))
    for applicant in applicants:
        if applicant.id in locked_seats:
            kept = locked_seats[applicant.id]
            listed = _unique(applicant.preferences)
            held_at = listed.index(kept) + 1 if kept in listed else None
            outcomes[applicant.id] = Outcome(applicant.id, kept, held_at, (), locked=True)
            continue
        reasons: list[Reason] = []
        obtained: int | None = None
        position: int | None = None
        preferences = _unique(applicant.preferences)
        for number, destination in enumerate(preferences, start=1):
            if destination in applicant.ineligible:
                reasons.append(Reason(number, destination, NOT_ELIGIBLE))
            elif used.get(destination, 0) < capacities.get(destination, 0):
                hold(destination, applicant.rank)
                obtained, position = destination, number
                reasons.append(Reason(number, destination, OFFERED))
                reasons.extend(
                    Reason(later, other, NOT_REACHED)
                    for later, other in enumerate(preferences[number:], start=number + 1)
                )
                break
            else:
                reasons.append(Reason(number, destination, TAKEN, last_rank.get(destination)))
        if obtained is None:
            reasons = [
                Reason(r.preference, r.destination, WAITLISTED, r.by_rank) if r.outcome == TAKEN else r
                for r in reasons
            ]
        outcomes[applicant.id] = Outcome(applicant.id, obtained, position, tuple(reasons))
    return outcomes


def input_hash(
    applicants: Sequence[Applicant], capacities: Mapping[int, int], locked: Mapping[int, int] | None = None
) -> str:
    """A SHA-256 fingerprint of an allocation's input: equal input, equal hash (recorded with each run)."""
    payload = {
        "applicants": [[a.id, a.rank, list(a.preferences), sorted(a.ineligible)] for a in applicants],
        "capacities": sorted([k, v] for k, v in capacities.items()),
        "locked": sorted([k, v] for k, v in (locked or {}).items()),
    }
    return hashlib.sha256(json.dumps(payload, separators=(",", ":")).encode()).hexdigest()


def fill(outcomes: Mapping[int, Outcome], capacities: Mapping[int, int]) -> dict[int, tuple[int, int]]:
    """``{destination: (places used, places)}`` after an allocation (locked seats included)."""
    used: dict[int, int] = dict.fromkeys(capacities, 0)
    for outcome in outcomes.values():
        if outcome.destination is not None:
            used[outcome.destination] = used.get(outcome.destination, 0) + 1
    return {destination: (count, capacities.get(destination, 0)) for destination, count in used.items()}
