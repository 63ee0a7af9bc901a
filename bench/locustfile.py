"""Load test of the two busiest journeys: an IKM owner signing up and registering a business,
and office staff working in the register. Run by `make loadtest` (bench/loadtest.sh) against a
local production-mode gunicorn on loopback; results in docs/deployment.md ("Load test").

- OwnerUser (weight 3): sign up on the page (which logs in), the registration form's first
  page, POST /api/v1/enterprises/ (a complete business), submit it, open it, "my businesses"
  (page and API), the dashboard.
- StaffUser (weight 1): log in (page) as the demo staff account, the register list with and
  without a search, the verification queue, a business's detail page, the register through
  the API (paginated, filtered).

Each simulated person signs in once, as a real one does: the browser session (and its CSRF
token) also authenticates their API calls.
"""

import random
import re
import uuid

from locust import HttpUser, between, task

STAFF_EMAIL = "staf@demo.ikm.id"
DEMO_PASSWORD = "ikm-demo-2026"  # the published demo password (README)
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def nik() -> str:
    """A well-formed NIK: Lowokwaru, a birth date (women's day + 40), a serial."""
    day = random.randint(1, 28) + random.choice((0, 40))
    return f"357305{day:02d}{random.randint(1, 12):02d}{random.randint(60, 99):02d}{random.randint(1, 9999):04d}"


def business() -> dict:
    suffix = uuid.uuid4().hex[:6]
    return {
        "owner_name": "Siti Aminah",
        "owner_nik": nik(),
        "owner_gender": "female",
        "phone": f"0812{random.randint(10000000, 99999999)}",
        "name": f"UD Keripik Tempe {suffix}",
        "legal_form": "ud",
        "year_established": 2015,
        "address": f"Jl. Sanan No. {random.randint(1, 200)}",
        "rt_rw": "3/5",
        "kelurahan": "35.73.01.1007",
        "postal_code": "65122",
        "workers_male": 2,
        "workers_female": 3,
        "investment_idr": 75_000_000,
        "annual_turnover_idr": 360_000_000,
        "products": [
            {
                "kbli_code": "10391",
                "name": "Keripik tempe",
                "capacity_per_year": "12000",
                "capacity_unit": "kg",
                "marketing_reach": "regional",
            }
        ],
        "certifications": [],
        "consent": True,
    }


def form_token(user: HttpUser, path: str) -> str:
    page = user.client.get(path, name=f"{path} [GET]")
    match = CSRF_INPUT.search(page.text)
    return match.group(1) if match else ""


def api_headers(user: HttpUser) -> dict:
    """Session authentication for the API: the CSRF cookie echoed in the header."""
    return {"X-CSRFToken": user.client.cookies.get("csrftoken", "")}


def login(user: HttpUser, email: str, password: str) -> None:
    token = form_token(user, "/accounts/login/")
    user.client.post(
        "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": email, "password": password},
        headers={"Referer": f"{user.host}/accounts/login/"},
        name="/accounts/login/ [POST]",
    )


class OwnerUser(HttpUser):
    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        email = f"owner-{uuid.uuid4().hex[:12]}@loadtest.ikm.id"
        password = "Tempe-Sanan-2026!"
        token = form_token(self, "/accounts/signup/")
        self.client.post(
            "/accounts/signup/",
            data={
                "csrfmiddlewaretoken": token,
                "email": email,
                "full_name": "Siti Aminah",
                "phone": f"0813{random.randint(10000000, 99999999)}",
                "password1": password,
                "password2": password,
                "accept_terms": "on",
            },
            headers={"Referer": f"{self.host}/accounts/signup/"},
            name="/accounts/signup/ [POST]",
        )

    @task(3)
    def register_business(self):
        self.client.get("/registry/register/", name="/registry/register/")
        created = self.client.post(
            "/api/v1/enterprises/",
            json=business(),
            headers=api_headers(self),
            name="/api/v1/enterprises/ [POST]",
        )
        if created.status_code == 201:
            pk = created.json()["id"]
            self.client.post(
                f"/api/v1/enterprises/{pk}/submit/",
                headers=api_headers(self),
                name="/api/v1/enterprises/<id>/submit/",
            )
            self.client.get(f"/registry/business/{pk}/", name="/registry/business/<id>/ [owner]")

    @task(2)
    def my_businesses(self):
        self.client.get("/registry/", name="/registry/ [mine]")
        self.client.get("/api/v1/enterprises/", name="/api/v1/enterprises/ [owner]")

    @task(1)
    def dashboard(self):
        self.client.get("/dashboard/", name="/dashboard/")


class StaffUser(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        login(self, STAFF_EMAIL, DEMO_PASSWORD)
        self.ids: list[int] = []

    @task(4)
    def register_list(self):
        self.client.get("/registry/list/", name="/registry/list/")
        self.client.get(
            f"/registry/list/?q={random.choice(['tempe', 'keripik', 'batik', 'kopi'])}",
            name="/registry/list/?q=",
        )

    @task(2)
    def queue(self):
        self.client.get("/registry/queue/", name="/registry/queue/")

    @task(3)
    def register_api(self):
        page = self.client.get(
            f"/api/v1/enterprises/?page={random.randint(1, 3)}",
            name="/api/v1/enterprises/?page= [staff]",
        )
        if page.status_code == 200:
            self.ids = [row["id"] for row in page.json().get("results", [])] or self.ids
        self.client.get(
            "/api/v1/enterprises/?status=verified&kecamatan=35.73.05",
            name="/api/v1/enterprises/?status=&kecamatan= [staff]",
        )

    @task(2)
    def detail(self):
        if self.ids:
            pk = random.choice(self.ids)
            self.client.get(f"/registry/business/{pk}/", name="/registry/business/<id>/ [staff]")
