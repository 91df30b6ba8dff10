"""The pure seat allocation: examples of each explanation, and its properties over random input (no
destination over its places; no applicant gets a lower preference while a higher one went to a lower-ranked
applicant; equal input, equal result; locked seats kept)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meridian.mobility.allocation_core import (
    NOT_ELIGIBLE,
    NOT_REACHED,
    OFFERED,
    TAKEN,
    WAITLISTED,
    Applicant,
    allocate,
    fill,
    input_hash,
)


def _applicants(*preferences, ineligible=None):
    ineligible = ineligible or {}
    return [
        Applicant(id=100 + n, rank=n, preferences=tuple(p), ineligible=frozenset(ineligible.get(n, ())))
        for n, p in enumerate(preferences, start=1)
    ]


def test_best_ranked_chooses_first_and_each_outcome_is_explained():
    applicants = _applicants([1, 2], [1, 2], [1, 2], [1, 3], ineligible={4: {3}})
    result = allocate(applicants, {1: 1, 2: 1, 3: 5})
    assert result[101].destination == 1 and result[101].preference == 1
    assert [r.as_dict() for r in result[101].reasons] == [
        {"preference": 1, "destination": 1, "outcome": OFFERED, "by_rank": None},
        {"preference": 2, "destination": 2, "outcome": NOT_REACHED, "by_rank": None},
    ]
    assert result[102].destination == 2 and result[102].preference == 2
    assert result[102].reasons[0].outcome == TAKEN and result[102].reasons[0].by_rank == 1
    # Rank 3: both full → waiting list, each preference says who had the last place.
    assert result[103].waitlisted
    assert [(r.outcome, r.by_rank) for r in result[103].reasons] == [(WAITLISTED, 1), (WAITLISTED, 2)]
    # Rank 4: place 1 taken, place 3 free but the language level is below its minimum.
    assert result[104].waitlisted
    assert [r.outcome for r in result[104].reasons] == [WAITLISTED, NOT_ELIGIBLE]


def test_destination_without_places_repeated_preferences_and_bad_input():
    result = allocate(_applicants([9, 9, 1]), {1: 1})
    assert result[101].destination == 1 and result[101].preference == 2  # the repeated 9 is dropped
    assert result[101].reasons[0].outcome == TAKEN and result[101].reasons[0].by_rank is None
    with pytest.raises(ValueError):
        allocate(_applicants([1]) + _applicants([1]), {1: 1})
    with pytest.raises(ValueError):
        allocate(_applicants([1]), {1: -1})


def test_locked_seats_count_first_and_are_kept():
    applicants = _applicants([1], [1], [1, 2])
    # Rank 3 holds the only place at 1 (accepted earlier); ranks 1 and 2 wait for it, rank 1 cannot go to 2.
    result = allocate(applicants, {1: 1, 2: 1}, locked={103: 1})
    assert result[103].locked and result[103].destination == 1
    assert result[101].waitlisted and result[101].reasons[0].by_rank == 3
    assert result[102].waitlisted
    assert fill(result, {1: 1, 2: 1}) == {1: (1, 1), 2: (0, 1)}


# --- properties -----------------------------------------------------------------------------------------

destination_ids = st.integers(min_value=1, max_value=8)
problems = st.tuples(
    st.lists(
        st.tuples(
            st.lists(destination_ids, min_size=0, max_size=5),
            st.sets(destination_ids, max_size=2),
        ),
        min_size=0,
        max_size=30,
    ),
    st.dictionaries(destination_ids, st.integers(min_value=0, max_value=4), min_size=1, max_size=8),
)


def _build(raw):
    rows, capacities = raw
    applicants = [
        Applicant(id=1000 + i, rank=i + 1, preferences=tuple(prefs), ineligible=frozenset(bad))
        for i, (prefs, bad) in enumerate(rows)
    ]
    return applicants, capacities


def _check_properties(applicants, capacities, result, locked=None):
    locked = locked or {}
    # No destination over its places (locked seats included).
    for destination, (used, places) in fill(result, capacities).items():
        assert used <= places or destination not in capacities
    by_id = {a.id: a for a in applicants}
    position = {a.id: n for n, a in enumerate(applicants)}
    for applicant in applicants:
        outcome = result[applicant.id]
        if outcome.locked:
            continue
        preferences = list(dict.fromkeys(applicant.preferences))
        obtained = (
            preferences.index(outcome.destination) if outcome.destination is not None else len(preferences)
        )
        # Every preference ranked higher than the one obtained is either not eligible or full of seats held
        # by better-ranked (or locked) applicants.
        for better in preferences[:obtained]:
            if better in applicant.ineligible:
                continue
            holders = [o.applicant for o in result.values() if o.destination == better]
            assert len(holders) >= capacities.get(better, 0)
            for holder in holders:
                assert result[holder].locked or position[holder] < position[applicant.id], (
                    "a lower-ranked applicant got a place this applicant preferred"
                )
        if outcome.destination is not None:
            assert outcome.destination not in applicant.ineligible
            assert outcome.destination in by_id[applicant.id].preferences


@settings(max_examples=300, deadline=None)
@given(problems)
def test_no_overbooking_no_envy_of_lower_ranks(raw):
    applicants, capacities = _build(raw)
    result = allocate(applicants, capacities)
    assert set(result) == {a.id for a in applicants}
    _check_properties(applicants, capacities, result)


@settings(max_examples=200, deadline=None)
@given(problems)
def test_deterministic_for_equal_input(raw):
    applicants, capacities = _build(raw)
    first = allocate(applicants, capacities)
    second = allocate(list(applicants), dict(reversed(list(capacities.items()))))
    assert first == second
    assert input_hash(applicants, capacities) == input_hash(list(applicants), dict(capacities))


@settings(max_examples=200, deadline=None)
@given(problems, st.data())
def test_locked_seats_are_kept_in_a_reallocation(raw, data):
    applicants, capacities = _build(raw)
    first = allocate(applicants, capacities)
    holders = [o for o in first.values() if o.destination is not None]
    kept = data.draw(
        st.lists(st.sampled_from(holders), unique_by=lambda o: o.applicant) if holders else st.just([])
    )
    locked = {o.applicant: o.destination for o in kept}
    again = allocate(applicants, capacities, locked)
    for applicant_id, destination in locked.items():
        assert again[applicant_id].destination == destination and again[applicant_id].locked
    _check_properties(applicants, capacities, again, locked)
    # Nothing freed: the locked run gives everyone the same result as the first run.
    if len(locked) == len(holders):
        assert {k: v.destination for k, v in again.items()} == {k: v.destination for k, v in first.items()}
