"""Uploads through the HTTP API answer at once (202, job ids); tests follow the jobs until searchable."""
from __future__ import annotations

import time


def searchable(client, response, headers: dict | None = None, timeout: float = 180) -> list[dict]:
    """The upload's jobs once each is searchable (or over), as GET /v1/jobs/{id} shows them."""
    assert response.status_code == 202, response.text
    jobs = response.json()["jobs"]
    deadline = time.monotonic() + timeout
    found = []
    for job in jobs:
        while True:
            current = client.get(f"/v1/jobs/{job['id']}", headers=headers or {}).json()
            over = current["state"] in ("done", "failed", "cancelled")
            # `searchable` is reported as the document is stored; its status follows when the parse step returns
            if over or (current["stage"] in ("searchable", "embedding") and current.get("status")):
                found.append(current)
                break
            assert time.monotonic() < deadline, f"job {current} is still not searchable"
            time.sleep(0.05)
    return found
