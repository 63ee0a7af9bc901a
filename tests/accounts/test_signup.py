import pytest
from django.contrib.auth.models import Group

from ikm_portal.accounts.models import User

pytestmark = pytest.mark.django_db

GOOD = {
    "email": "Siti@Example.id",
    "full_name": "Siti Aminah",
    "phone": "0812-3456-7890",
    "password1": "keripik-tempe-sanan",
    "password2": "keripik-tempe-sanan",
    "accept_terms": "on",
}


def test_signup_page_creates_owner_and_logs_in(client):
    response = client.post("/accounts/signup/", GOOD)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    user = User.objects.get()
    assert (user.email, user.phone, user.roles) == (
        "siti@example.id",
        "+6281234567890",
        ["ikm_owner"],
    )
    assert user.terms_version and user.privacy_version and user.terms_accepted_at
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Masukkan alamat email dengan format yang benar."),
        ({"phone": "12345"}, "phone", "Masukkan nomor ponsel Indonesia yang valid"),
        ({"password2": "something-else-entirely"}, "password2", "Kedua kata sandi tidak sama."),
        ({"password1": "short", "password2": "short"}, "password1", "terlalu pendek"),
        ({"accept_terms": ""}, "accept_terms", "Anda harus menyetujui ketentuan"),
    ],
)
def test_signup_page_bad_input_shows_error_beside_field(client, change, field, message):
    response = client.post("/accounts/signup/", {**GOOD, **change})
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert User.objects.count() == 0


def test_signup_page_taken_email_refused(client, owner):
    response = client.post("/accounts/signup/", {**GOOD, "email": owner.email.upper()})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Sudah ada akun dengan alamat e-mail ini."]


def test_signup_page_in_english(client):
    client.cookies["ikm_language"] = "en"
    response = client.post("/accounts/signup/", {**GOOD, "phone": "123"})
    assert "Enter a valid Indonesian mobile number" in response.content.decode()


API = {
    "email": "budi@example.id",
    "password": "rotan-balearjosari",
    "full_name": "Budi Santoso",
    "phone": "+62 813 1111 2222",
}


def test_signup_api_creates_owner(api_client):
    response = api_client.post("/api/v1/accounts/signup/", API, format="json")
    assert response.status_code == 201
    assert response.json()["roles"] == ["ikm_owner"]
    assert response.json()["phone"] == "+6281311112222"
    assert "password" not in response.json()
    assert User.objects.get().groups.get() == Group.objects.get(name="ikm_owner")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "bad"}, "email"),
        ({"password": "123456789012"}, "password"),
        ({"password": "short"}, "password"),
        ({"phone": "0211234567"}, "phone"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_signup_api_bad_input_is_400_with_field_errors(api_client, change, field):
    response = api_client.post("/api/v1/accounts/signup/", {**API, **change}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert User.objects.count() == 0


def test_signup_api_taken_email_is_400(api_client, owner):
    response = api_client.post(
        "/api/v1/accounts/signup/", {**API, "email": owner.email}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"email": ["Sudah ada akun dengan alamat e-mail ini."]}
