"""Reads for programmes and applications, always through the scoping functions."""

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.crypto import keyed_hash
from partnerships.permissions import membership_of
from registry.choices import EnterpriseStatus, SizeClass
from registry.models import Enterprise, Region, mask_nik

from .choices import (
    PARTICIPANT_STATUSES,
    PARTNER_VISIBLE_STATUSES,
    ApplicationStatus,
    ProgramStatus,
)
from .eligibility import Facts, RuleResult, Rules, evaluate
from .models import Application, EligibilityRules, Program, Question, Stage, Track, TrackChoice
from .permissions import (
    applications_visible_to,
    programs_visible_to,
    shares_personal_data,
)

# --- Programmes ---------------------------------------------------------------------------------


def program_list(*, user) -> QuerySet[Program]:
    return (
        programs_visible_to(user)
        .select_related("partner", "agreement", "eligibility")
        .prefetch_related(
            Prefetch("tracks", queryset=Track.objects.order_by("position", "id")),
            Prefetch("stages", queryset=Stage.objects.order_by("order")),
            Prefetch(
                "questions",
                queryset=Question.objects.select_related("track").order_by("position", "id"),
            ),
        )
    )


def program_open_for_applications(*, user, now=None) -> QuerySet[Program]:
    now = now or timezone.now()
    return program_list(user=user).filter(
        status=ProgramStatus.OPEN, opens_at__lte=now, closes_at__gt=now
    )


def eligibility_rules_of(program: Program) -> EligibilityRules:
    try:
        return program.eligibility
    except EligibilityRules.DoesNotExist:
        return EligibilityRules(program=program)


# --- Eligibility ---------------------------------------------------------------------------------


def _region_names(codes) -> dict[str, str]:
    codes = [c for c in codes if c]
    if not codes:
        return {}
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def enterprise_facts(*, enterprise: Enterprise, exclude_program: Program | None = None) -> Facts:
    """What the eligibility rules read about a business and its owner."""
    kbli_codes = tuple(enterprise.products.values_list("kbli_code", flat=True))
    running = Application.objects.filter(
        status__in=sorted(PARTICIPANT_STATUSES), program__status=ProgramStatus.RUNNING
    )
    same_person = Q(enterprise=enterprise)
    if enterprise.owner_id:
        same_person |= Q(enterprise__owner_id=enterprise.owner_id)
    if enterprise.owner_nik:
        same_person |= Q(enterprise__owner_nik_hash=keyed_hash(enterprise.owner_nik))
    running = running.filter(same_person)
    if exclude_program is not None:
        running = running.exclude(program=exclude_program)
    titles = tuple(sorted(set(running.values_list("program__title", flat=True))))
    kecamatan_name = ""
    if enterprise.kecamatan_id:
        kecamatan_name = enterprise.kecamatan.name
    return Facts(
        verified=enterprise.status == EnterpriseStatus.VERIFIED,
        size_class=enterprise.size_class or "",
        kelurahan_code=enterprise.kelurahan_id or "",
        kecamatan_code=enterprise.kecamatan_id or "",
        kecamatan_name=kecamatan_name,
        kbli_codes=kbli_codes,
        year_established=enterprise.year_established,
        nib=enterprise.nib or "",
        running_programs=titles,
    )


def rules_of(program: Program) -> Rules:
    stored = eligibility_rules_of(program)
    return Rules(
        size_classes=tuple(stored.size_classes or ()),
        kecamatan_codes=tuple(stored.kecamatan_codes or ()),
        kbli_divisions=tuple(stored.kbli_divisions or ()),
        min_years_operating=stored.min_years_operating,
        require_nib=stored.require_nib,
        exclude_running_participants=stored.exclude_running_participants,
    )


def eligibility_check(*, program: Program, enterprise: Enterprise) -> list[RuleResult]:
    rules = rules_of(program)
    facts = enterprise_facts(enterprise=enterprise, exclude_program=program)
    office = settings.REGION_CODE
    names = _region_names([office, *rules.kecamatan_codes])
    return evaluate(
        rules,
        facts,
        office_region=office,
        office_region_name=names.get(office, ""),
        current_year=timezone.localdate().year,
        size_labels={k: str(v) for k, v in SizeClass.choices},
        kecamatan_names=names,
    )


# --- Applications --------------------------------------------------------------------------------


def application_list(*, user) -> QuerySet[Application]:
    return (
        applications_visible_to(user)
        .select_related(
            "program",
            "program__partner",
            "enterprise",
            "enterprise__kecamatan",
            "enterprise__kelurahan",
        )
        .prefetch_related(
            Prefetch(
                "track_choices",
                queryset=TrackChoice.objects.select_related("track").order_by("preference"),
            ),
            "answers",
            "enterprise__products",
        )
    )


def owner_enterprises(*, user) -> QuerySet[Enterprise]:
    """The businesses an owner may apply with: their own verified ones."""
    if user is None or not user.is_authenticated:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(owner=user, status=EnterpriseStatus.VERIFIED).order_by("name")


def applications_of_owner_for(*, user, program: Program) -> QuerySet[Application]:
    return Application.objects.filter(program=program, enterprise__owner=user).select_related(
        "enterprise"
    )


def questions_for(*, program: Program, track_ids=None) -> list[Question]:
    """The questions an applicant answers: the general ones and those of their chosen tracks."""
    track_ids = set(track_ids or ())
    return [q for q in program.questions.all() if q.track_id is None or q.track_id in track_ids]


# The owner's personal data, hidden from the partner once the owner withdraws consent. The
# business itself (name, size, products) stays: the programme needs it to run the selection and
# to take attendance for a place already offered.
PERSONAL_FIELDS = ("owner_name", "owner_nik", "owner_gender", "phone", "email", "kelurahan")
WITHDRAWN_PLACEHOLDER = _("data withdrawn by the owner")


def application_shared_data(*, application: Application, viewer=None) -> dict:
    """The business data an owner shares with the partner by consenting: who and what the
    business is, where, how large, and how to reach the owner. NIK is masked; NPWP, the street
    address, finances other than the size class, documents and history are not shared. When
    `viewer` is a partner's member and the owner withdrew consent, the personal fields read
    "data withdrawn by the owner" (`personal_data_withdrawn` is true)."""
    e = application.enterprise
    products = [{"name": p.name, "kbli_code": p.kbli_code} for p in e.products.all()]
    data = {
        "business_name": e.name,
        "brand": e.brand,
        "owner_name": e.owner_name,
        "owner_nik": mask_nik(e.owner_nik),
        "owner_gender": e.owner_gender,
        "phone": e.phone,
        "email": e.email,
        "kelurahan": e.kelurahan.name if e.kelurahan_id else "",
        "kecamatan": e.kecamatan.name if e.kecamatan_id else "",
        "size_class": e.size_class,
        "workers_total": e.workers_total,
        "year_established": e.year_established,
        "has_nib": bool(e.nib),
        "products": products,
        "personal_data_withdrawn": False,
    }
    if viewer is not None and not shares_personal_data(viewer, application):
        placeholder = str(WITHDRAWN_PLACEHOLDER)
        data.update(dict.fromkeys(PERSONAL_FIELDS, placeholder))
        data["personal_data_withdrawn"] = True
    return data


# --- The partner's home page ---------------------------------------------------------------------


def partner_home(*, user) -> dict:
    membership = membership_of(user)
    if membership is None:
        return {}
    visible = Q(
        applications__status__in=sorted(PARTNER_VISIBLE_STATUSES),
        applications__consent_at__isnull=False,
    )
    programs = (
        Program.objects.filter(partner_id=membership.partner_id)
        .annotate(
            visible_count=Count("applications", filter=visible),
            eligible_count=Count(
                "applications",
                filter=visible & Q(applications__status=ApplicationStatus.ELIGIBLE),
            ),
            in_review_count=Count(
                "applications",
                filter=visible & Q(applications__status=ApplicationStatus.IN_REVIEW),
            ),
            submitted_total=Count(
                "applications",
                filter=~Q(
                    applications__status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN]
                ),
            ),
        )
        .order_by("-opens_at", "-id")
    )
    programs = list(programs)
    now = timezone.now()
    waiting = []
    for program in programs:
        if program.eligible_count:
            waiting.append(("eligible", program))
        if program.status == ProgramStatus.OPEN and program.closes_at and program.closes_at > now:
            waiting.append(("closing", program))
        if program.status == ProgramStatus.DRAFT and program.partner_can_manage:
            waiting.append(("draft", program))
    return {
        "membership": membership,
        "partner": membership.partner,
        "programs": programs,
        "waiting": waiting,
        "totals": {
            "programs": len(programs),
            "visible": sum(p.visible_count for p in programs),
            "eligible": sum(p.eligible_count for p in programs),
            "in_review": sum(p.in_review_count for p in programs),
        },
    }


# --- Personal data access log ---------------------------------------------------------------------


def data_access_summary_for_owner(*, application: Application) -> dict:
    """What an owner may know of who looked at their application: the partner and when."""
    from django.contrib.contenttypes.models import ContentType

    from ikm_portal.datarights.choices import AccessAction
    from ikm_portal.datarights.models import AccessLog

    accesses = AccessLog.objects.filter(
        action=AccessAction.PARTNER_VIEW,
        object_type=ContentType.objects.get_for_model(Application),
        object_id=application.pk,
    ).order_by("-created_at", "-id")
    return {
        "count": accesses.count(),
        "last": accesses.first(),
    }
