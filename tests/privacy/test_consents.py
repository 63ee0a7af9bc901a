import pytest
from django.conf import settings

from ikm_portal.accounts.models import User
from ikm_portal.core.models import ActivityLog
from ikm_portal.privacy.choices import Purpose
from ikm_portal.privacy.models import Consent
from ikm_portal.privacy.selectors import news_consent_given, news_recipients
from ikm_portal.privacy.services import consent_give
from registry.services import enterprise_update
from tests.factories import ApplicationFactory, EnterpriseFactory, ProgramFactory
from training.choices import ApplicationStatus
from training.models import Application
from training.services import application_create, application_update

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "siti@example.id",
    "full_name": "Siti Aminah",
    "phone": "0812-3456-7890",
    "password1": "keripik-tempe-sanan",
    "password2": "keripik-tempe-sanan",
    "accept_terms": "on",
}


def _active(user, purpose, scope_key=""):
    return Consent.objects.get(
        user=user,
        purpose=purpose,
        scope_key=scope_key,
        withdrawn_at__isnull=True,
        superseded_at__isnull=True,
    )


# --- Where consent is given ------------------------------------------------------------------


def test_signup_page_records_the_register_acknowledgement(client):
    client.post("/accounts/signup/", SIGNUP)
    consent = Consent.objects.get()
    assert (
        consent.user.email,
        consent.purpose,
        consent.notice_version,
        consent.given_context,
        consent.given_channel,
    ) == ("siti@example.id", "registry", settings.PRIVACY_NOTICE_VERSION, "signup", "page")
    assert ActivityLog.objects.filter(action="consent.given").count() == 1


def test_signup_api_records_it_through_the_api(api_client):
    response = api_client.post(
        "/api/v1/accounts/signup/",
        {
            "email": "budi@example.id",
            "full_name": "Budi",
            "phone": "081234567891",
            "password": "keripik-tempe-sanan",
            "accept_terms": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    consent = Consent.objects.get()
    assert (consent.purpose, consent.given_channel) == ("registry", "api")


def test_business_registration_by_the_owner_records_the_register_purpose(owner):
    enterprise = EnterpriseFactory(owner=owner, status="draft", consent_at=None, consent_version="")
    enterprise_update(enterprise=enterprise, actor=owner, data={}, consent=True)
    consent = _active(owner, Purpose.REGISTRY)
    assert (consent.given_context, consent.given_channel, consent.given_by) == (
        "registration",
        "page",
        None,
    )


def test_walk_in_registration_by_staff_is_recorded_on_the_owners_behalf(owner, staff):
    enterprise = EnterpriseFactory(owner=owner, status="draft", consent_at=None, consent_version="")
    enterprise_update(enterprise=enterprise, actor=staff, data={}, consent=True)
    consent = _active(owner, Purpose.REGISTRY)
    assert (consent.given_channel, consent.given_by) == ("office", staff)


def test_applying_records_sharing_consent_for_that_programme(owner):
    from tests.factories import VerifiedEnterpriseFactory

    program = ProgramFactory(with_setup=True)
    enterprise = VerifiedEnterpriseFactory(owner=owner)
    application = application_create(
        actor=owner,
        program=program,
        enterprise=enterprise,
        track_choices=[program.tracks.first().pk],
        consent_share_with_partner=True,
    )
    consent = _active(owner, Purpose.PARTNER_SHARING, f"training.program:{program.pk}")
    assert consent.scope_label == f"{program.partner.name} — {program.title}"
    assert consent.given_context == "application"
    assert application.consent_share_with_partner is True


def test_withdrawing_on_the_application_withdraws_the_programme_consent(owner):
    application = ApplicationFactory(
        enterprise__owner=owner, status=ApplicationStatus.ELIGIBLE, consent_share_with_partner=False
    )
    application_update(application=application, actor=owner, consent_share_with_partner=True)
    application_update(application=application, actor=owner, consent_share_with_partner=False)
    consent = Consent.objects.get(purpose="partner_sharing")
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_context == "application"
    # the application logs its withdrawal once, not once more through the privacy hook
    assert ActivityLog.objects.filter(action="application.consent_withdrawn").count() == 1


def test_giving_twice_under_the_same_version_keeps_one_row(owner):
    for _ in range(2):
        consent_give(user=owner, purpose=Purpose.NEWS, context="consents_page", actor=owner)
    assert Consent.objects.filter(user=owner).count() == 1


# --- My consents: page -------------------------------------------------------------------------


@pytest.fixture
def shared(owner):
    """An eligible application whose sharing consent was given on the site."""
    application = ApplicationFactory(
        enterprise__owner=owner, status=ApplicationStatus.DRAFT, consent_share_with_partner=False
    )
    application_update(application=application, actor=owner, consent_share_with_partner=True)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.ELIGIBLE)
    application.refresh_from_db()
    return application


def test_my_consents_page_lists_each_purpose(client, owner, shared):
    consent_give(user=owner, purpose=Purpose.REGISTRY, context="signup", actor=owner)
    client.force_login(owner)
    response = client.get("/privacy/consents/")
    body = response.content.decode()
    assert response.status_code == 200
    assert shared.program.title in body
    labels = [row["purpose"] for row in response.context["rows"]]
    assert labels == ["registry", "partner_sharing", "news"]
    assert [row["withdrawable"] for row in response.context["rows"]] == [False, True, False]


def test_withdraw_sharing_asks_for_confirmation_then_stops_sharing(client, owner, shared):
    consent = Consent.objects.get(purpose="partner_sharing")
    client.force_login(owner)
    confirm = client.get(f"/privacy/consents/{consent.pk}/withdraw/")
    assert confirm.status_code == 200
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None
    response = client.post(f"/privacy/consents/{consent.pk}/withdraw/")
    assert response.status_code == 302
    consent.refresh_from_db()
    shared.refresh_from_db()
    assert (consent.withdrawn_at is not None, consent.withdrawn_context) == (True, "consents_page")
    assert shared.consent_share_with_partner is False
    assert shared.consent_withdrawn_at is not None
    assert list(
        ActivityLog.objects.filter(action__endswith="consent_withdrawn").values_list(
            "action", "actor"
        )
    ) == [("application.consent_withdrawn", owner.pk)]
    assert ActivityLog.objects.filter(action="consent.withdrawn", actor=owner).count() == 1


def test_withdrawing_twice_changes_nothing(client, owner, shared):
    consent = Consent.objects.get(purpose="partner_sharing")
    client.force_login(owner)
    client.post(f"/privacy/consents/{consent.pk}/withdraw/")
    assert client.post(f"/privacy/consents/{consent.pk}/withdraw/").status_code == 404
    assert ActivityLog.objects.filter(action="consent.withdrawn").count() == 1


def test_another_owners_consent_is_404(client, other_owner, shared):
    consent = Consent.objects.get(purpose="partner_sharing")
    client.force_login(other_owner)
    assert client.get(f"/privacy/consents/{consent.pk}/withdraw/").status_code == 404
    assert client.post(f"/privacy/consents/{consent.pk}/withdraw/").status_code == 404


def test_the_register_acknowledgement_cannot_be_withdrawn_on_the_page(client, owner):
    consent = consent_give(user=owner, purpose=Purpose.REGISTRY, context="signup", actor=owner)
    client.force_login(owner)
    assert client.post(f"/privacy/consents/{consent.pk}/withdraw/").status_code == 404


def test_news_toggle_on_and_off(client, owner):
    client.force_login(owner)
    assert news_consent_given(user=owner) is False
    client.post("/privacy/consents/news/")
    assert news_consent_given(user=owner) is True
    assert list(news_recipients()) == [owner]
    consent = _active(owner, Purpose.NEWS)
    client.post(f"/privacy/consents/{consent.pk}/withdraw/")
    assert news_consent_given(user=owner) is False
    assert list(news_recipients()) == []


def test_my_consents_needs_sign_in(client):
    response = client.get("/privacy/consents/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- My consents: API --------------------------------------------------------------------------


def test_api_lists_only_own_consents(api_as, owner, other_owner, shared):
    consent_give(user=other_owner, purpose=Purpose.NEWS, context="consents_page")
    response = api_as(owner).get("/api/v1/privacy/consents/")
    assert response.status_code == 200
    assert [(c["purpose"], c["active"], c["withdrawable"]) for c in response.data["results"]] == [
        ("partner_sharing", True, True)
    ]


def test_api_withdraw_sharing(api_as, owner, shared):
    consent = Consent.objects.get(purpose="partner_sharing")
    response = api_as(owner).post(f"/api/v1/privacy/consents/{consent.pk}/withdraw/")
    assert (response.status_code, response.data["active"]) == (200, False)
    assert response.data["withdrawn_channel"] == "api"
    shared.refresh_from_db()
    assert shared.consent_share_with_partner is False


def test_api_withdraw_the_register_is_409(api_as, owner):
    consent = consent_give(user=owner, purpose=Purpose.REGISTRY, context="signup", actor=owner)
    response = api_as(owner).post(f"/api/v1/privacy/consents/{consent.pk}/withdraw/")
    assert response.status_code == 409
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


def test_api_other_owners_consent_is_404(api_as, other_owner, shared):
    consent = Consent.objects.get(purpose="partner_sharing")
    client = api_as(other_owner)
    assert client.get(f"/api/v1/privacy/consents/{consent.pk}/").status_code == 404
    assert client.post(f"/api/v1/privacy/consents/{consent.pk}/withdraw/").status_code == 404


def test_api_give_news_only(api_as, owner):
    client = api_as(owner)
    assert client.post("/api/v1/privacy/consents/", {"purpose": "news"}).status_code == 201
    assert client.post("/api/v1/privacy/consents/", {"purpose": "registry"}).status_code == 400
    assert news_consent_given(user=owner) is True


def test_api_consents_need_sign_in(api_client):
    assert api_client.get("/api/v1/privacy/consents/").status_code == 401


def test_api_consent_list_query_count_does_not_grow(api_as, owner, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    consent_give(user=owner, purpose=Purpose.NEWS, context="consents_page")
    client = api_as(owner)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/privacy/consents/")
    for n in range(19):
        consent_give(
            user=owner,
            purpose=Purpose.PARTNER_SHARING,
            context="application",
            scope_key=f"training.program:{n + 1000}",
            scope_label=f"Program {n}",
        )
    with CaptureQueriesContext(connection) as twenty:
        response = client.get("/api/v1/privacy/consents/")
    assert response.data["count"] == 20
    assert len(twenty) == len(one)


def test_user_model_keeps_the_version(owner):
    consent_give(user=owner, purpose=Purpose.REGISTRY, context="signup", actor=owner)
    assert User.objects.get(pk=owner.pk).privacy_version == settings.PRIVACY_NOTICE_VERSION
