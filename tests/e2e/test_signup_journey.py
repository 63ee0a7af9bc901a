"""The sign-up form's errors and the language switch (the sign-up itself is the first step of
test_owner_journey.py)."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_signup_errors_are_shown_beside_the_fields(phone):
    phone.goto("/accounts/signup/")
    phone.get_by_label("Nomor ponsel").fill("12345")
    phone.get_by_role("button", name="Daftar").click()
    error = phone.locator("#id_phone_error")
    assert "nomor ponsel Indonesia" in error.inner_text()
    assert phone.get_by_label("Nomor ponsel").get_attribute("aria-invalid") == "true"


def test_language_switch_to_english(phone):
    phone.goto("/accounts/login/")
    phone.get_by_role("button", name="Menu").click()
    with phone.expect_navigation():
        phone.get_by_label("Bahasa", exact=True).select_option("en")
    assert phone.get_by_role("heading", name="Log in").is_visible()
