"""The balanced assignment of reviewers (training/selection/assignment.py), a pure function."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from training.selection.assignment import balance


def test_balance_150_applications_two_reviewers_each_among_four():
    plan = balance(applications=range(1, 151), reviewers=[11, 12, 13, 14], per_application=2)
    per_app = Counter(a for a, _r in plan.pairs)
    assert set(per_app.values()) == {2}
    assert plan.loads == {11: 75, 12: 75, 13: 75, 14: 75}
    assert plan.short == {}


def test_balance_never_assigns_a_blocked_pair_and_reports_shortfall():
    plan = balance(
        applications=[1, 2],
        reviewers=[11, 12],
        per_application=2,
        blocked={(1, 11)},
    )
    assert (1, 11) not in plan.pairs
    assert plan.pairs == [(1, 12), (2, 11), (2, 12)]
    assert plan.short == {1: 1}


def test_balance_tops_up_and_skips_reviewers_already_on_the_application():
    plan = balance(
        applications=[1, 2],
        reviewers=[11, 12, 13],
        per_application=2,
        taken={1: {11, 12}, 2: {13}},
        active={1: 1, 2: 1},  # on 1, reviewer 12 had a conflict: only 11 counts
        loads={11: 1, 13: 1},
    )
    # Application 1 may only get 13 (the most constrained goes first); 2 gets the lighter 12.
    assert plan.pairs == [(1, 13), (2, 12)]
    assert plan.short == {}
    assert plan.loads == {11: 1, 12: 1, 13: 2}


def test_balance_uses_every_allowed_reviewer_before_giving_up():
    plan = balance(
        applications=[1],
        reviewers=[11, 12, 13],
        per_application=2,
        taken={1: {11, 12}},
        active={1: 1},
    )
    assert plan.pairs == [(1, 13)]
    assert plan.short == {}


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 60),
    st.integers(1, 8),
    st.integers(1, 4),
    st.sets(st.tuples(st.integers(1, 60), st.integers(1, 8)), max_size=40),
)
def test_property_balanced_and_conflict_free(n_apps, n_reviewers, per_app, blocked):
    apps = list(range(1, n_apps + 1))
    people = list(range(1, n_reviewers + 1))
    plan = balance(applications=apps, reviewers=people, per_application=per_app, blocked=blocked)
    assert not set(plan.pairs) & blocked
    assert len(plan.pairs) == len(set(plan.pairs))
    per_app_count = Counter(a for a, _r in plan.pairs)
    for a in apps:
        allowed = sum(1 for r in people if (a, r) not in blocked)
        assert per_app_count[a] == min(per_app, allowed)
        assert plan.short.get(a, 0) == per_app - per_app_count[a]
    if not blocked:
        loads = Counter(r for _a, r in plan.pairs)
        values = [loads.get(r, 0) for r in people]
        assert max(values) - min(values) <= 1
