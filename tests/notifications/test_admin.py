import pytest

from tests.factories.notifications import NotificationFactory

pytestmark = pytest.mark.django_db


def test_admin_lists_and_shows_rows_read_only(client_as, office_admin, owner):
    row = NotificationFactory(recipient=owner, template="password_reset", body="secret-link")
    client = client_as(office_admin)
    assert client.get("/admin/notifications/notification/").status_code == 200
    page = client.get(f"/admin/notifications/notification/{row.pk}/change/")
    assert page.status_code == 200
    assert "secret-link" not in page.content.decode()
    assert client.get("/admin/notifications/notification/add/").status_code == 403
