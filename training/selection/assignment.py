"""Balanced assignment of reviewers, as a pure function over plain data.

Each application needs ``per_application`` active reviewers. The most constrained applications
(fewest reviewers allowed) are served first; each free slot goes to the allowed reviewer with the
lightest load, ties broken by the reviewer's id. Without conflicts the loads of reviewers who
started equal end at most one apart. A pair in ``blocked`` (a declared conflict, or the reviewer
is linked to the applicant) is never assigned; an application left short is reported."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass
class Plan:
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (application id, reviewer id)
    short: dict[int, int] = field(default_factory=dict)  # application id → slots left empty
    loads: dict[int, int] = field(default_factory=dict)  # reviewer id → load afterwards


def balance(
    *,
    applications: Iterable[int],
    reviewers: Iterable[int],
    per_application: int,
    taken: Mapping[int, set[int]] | None = None,
    active: Mapping[int, int] | None = None,
    blocked: set[tuple[int, int]] | None = None,
    loads: Mapping[int, int] | None = None,
) -> Plan:
    """- ``taken``: application → every reviewer who already has a row for it (submitted,
      conflicted, abstained…): nobody gets the same application twice;
    - ``active``: application → how many of those still count towards ``per_application``;
    - ``blocked``: (application, reviewer) pairs that must never meet;
    - ``loads``: reviewer → their active assignments at this stage already."""
    taken = taken or {}
    active = active or {}
    blocked = blocked or set()
    reviewer_ids = sorted(set(reviewers))
    load = {r: int((loads or {}).get(r, 0)) for r in reviewer_ids}
    allowed: dict[int, list[int]] = {}
    for app in sorted(set(applications)):
        already = taken.get(app, set())
        allowed[app] = [r for r in reviewer_ids if r not in already and (app, r) not in blocked]
    plan = Plan()
    for app in sorted(allowed, key=lambda a: (len(allowed[a]), a)):
        wanted = max(0, per_application - int(active.get(app, 0)))
        if wanted == 0:
            continue
        chosen = sorted(allowed[app], key=lambda r: (load[r], r))[:wanted]
        for r in chosen:
            load[r] += 1
            plan.pairs.append((app, r))
        if len(chosen) < wanted:
            plan.short[app] = wanted - len(chosen)
    plan.pairs.sort()
    plan.loads = load
    return plan
