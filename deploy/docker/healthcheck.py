"""The web container's health probe: GET /healthz as nginx would send it (the site's host name,
X-Forwarded-Proto https), so ALLOWED_HOSTS and the HTTPS redirect apply as in production.
Exit 0 when the portal answers 200."""

import os
import sys
import urllib.request

host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip()
if not host or host.startswith("*") or host.startswith("."):
    host = "localhost"
port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1]
request = urllib.request.Request(
    f"http://127.0.0.1:{port}/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"}
)
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - fixed loopback URL
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
