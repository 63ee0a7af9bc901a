"""Eligibility as a pure function over plain data: no database, so every rule is tested
directly and the same facts always give the same answer."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .choices import EligibilityRule


@dataclass(frozen=True)
class Rules:
    size_classes: tuple[str, ...] = ("kecil", "menengah")
    kecamatan_codes: tuple[str, ...] = ()
    kbli_divisions: tuple[str, ...] = ()
    min_years_operating: int | None = None
    require_nib: bool = False
    exclude_running_participants: bool = False


@dataclass(frozen=True)
class Facts:
    """What the rules read about a business and its owner."""

    verified: bool
    size_class: str = ""
    kelurahan_code: str = ""
    kecamatan_code: str = ""
    kecamatan_name: str = ""
    kbli_codes: tuple[str, ...] = ()
    year_established: int | None = None
    nib: str = ""
    running_programs: tuple[str, ...] = field(default=())  # titles


@dataclass(frozen=True)
class RuleResult:
    rule: str
    ok: bool
    reason: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "ok": self.ok, "reason": self.reason}


def _labels(codes, names: dict[str, str]) -> str:
    return ", ".join(str(names.get(c, c)) for c in codes)


def evaluate(
    rules: Rules,
    facts: Facts,
    *,
    office_region: str,
    office_region_name: str = "",
    current_year: int,
    size_labels: dict[str, str] | None = None,
    kecamatan_names: dict[str, str] | None = None,
) -> list[RuleResult]:
    """Check every rule that applies; each result says why, in the active language."""
    size_labels = size_labels or {}
    kecamatan_names = kecamatan_names or {}
    results: list[RuleResult] = []

    results.append(
        RuleResult(
            EligibilityRule.VERIFIED,
            facts.verified,
            _("The business is verified by the office.")
            if facts.verified
            else _("The business is not verified by the office yet."),
        )
    )

    if rules.size_classes:
        allowed = _labels(rules.size_classes, size_labels)
        if facts.size_class in rules.size_classes:
            reason = _("Size class %(size)s is among those accepted (%(allowed)s).")
        elif facts.size_class:
            reason = _("Size class %(size)s is not among those accepted (%(allowed)s).")
        else:
            reason = _("The size class is not known; accepted: %(allowed)s.")
        results.append(
            RuleResult(
                EligibilityRule.SIZE_CLASS,
                facts.size_class in rules.size_classes,
                reason
                % {"size": size_labels.get(facts.size_class, facts.size_class), "allowed": allowed},
            )
        )

    if rules.kecamatan_codes:
        ok = facts.kecamatan_code in rules.kecamatan_codes
        allowed = _labels(rules.kecamatan_codes, kecamatan_names)
        place = facts.kecamatan_name or facts.kecamatan_code or _("unknown")
        reason = (
            _("Kecamatan %(place)s is among those accepted (%(allowed)s).")
            if ok
            else _("Kecamatan %(place)s is not among those accepted (%(allowed)s).")
        )
        results.append(
            RuleResult(EligibilityRule.REGION, ok, reason % {"place": place, "allowed": allowed})
        )
    else:
        prefix = office_region.rstrip(".") + "."
        ok = bool(facts.kelurahan_code) and facts.kelurahan_code.startswith(prefix)
        region = office_region_name or office_region
        results.append(
            RuleResult(
                EligibilityRule.REGION,
                ok,
                (
                    _("The business is located in %(region)s.")
                    if ok
                    else _("The business is not located in %(region)s.")
                )
                % {"region": region},
            )
        )

    if rules.kbli_divisions:
        divisions = sorted({code[:2] for code in facts.kbli_codes if code})
        matching = [d for d in divisions if d in rules.kbli_divisions]
        allowed = ", ".join(rules.kbli_divisions)
        if matching:
            reason = _("KBLI division %(found)s is among those accepted (%(allowed)s).") % {
                "found": ", ".join(matching),
                "allowed": allowed,
            }
        elif divisions:
            reason = _(
                "No product is in an accepted KBLI division (%(allowed)s); found: %(found)s."
            ) % {
                "found": ", ".join(divisions),
                "allowed": allowed,
            }
        else:
            reason = _("No product has a KBLI code; accepted divisions: %(allowed)s.") % {
                "allowed": allowed
            }
        results.append(RuleResult(EligibilityRule.KBLI_DIVISION, bool(matching), reason))

    if rules.min_years_operating:
        needed = rules.min_years_operating
        if facts.year_established:
            years = current_year - facts.year_established
            ok = years >= needed
            reason = (
                _("Operating for %(years)s years (at least %(needed)s required).")
                if ok
                else _("Operating for %(years)s years; at least %(needed)s are required.")
            ) % {"years": years, "needed": needed}
        else:
            ok = False
            reason = _(
                "The founding year is not known; at least %(needed)s years are required."
            ) % {"needed": needed}
        results.append(RuleResult(EligibilityRule.YEARS_OPERATING, ok, reason))

    if rules.require_nib:
        ok = bool(facts.nib)
        results.append(
            RuleResult(
                EligibilityRule.NIB,
                ok,
                _("The business has a NIB.")
                if ok
                else _("A NIB (Nomor Induk Berusaha) is required; the business has none yet."),
            )
        )

    if rules.exclude_running_participants:
        ok = not facts.running_programs
        results.append(
            RuleResult(
                EligibilityRule.NOT_IN_RUNNING_PROGRAM,
                ok,
                _("The owner is not taking part in another running programme.")
                if ok
                else _("The owner already takes part in a running programme: %(titles)s.")
                % {"titles": "; ".join(facts.running_programs)},
            )
        )
    return results


def all_ok(results: list[RuleResult]) -> bool:
    return all(r.ok for r in results)
