"""A real login POST with the production password hasher (Argon2id), for practitioners logging
in with their ID number."""

from __future__ import annotations

import statistics
import time
from typing import Any

import common  # noqa: F401  (Django set up before the product's models are imported)
from django.test import Client
from django.urls import reverse

from practitioners.demo import DEMO_PASSWORD
from practitioners.models import User

LOGINS = 150


def measure_logins(users: list[User]) -> dict[str, Any]:
    """A real login POST (form, authentication backend with its limits, Argon2id, session),
    for practitioners logging in with their ID number; each user once before (a hash made
    with older parameters is re-made at the first login)."""
    url = reverse("login")

    def log_in(user: User) -> float:
        client = Client()
        started = time.perf_counter()
        response = client.post(url, {"username": user.username, "password": DEMO_PASSWORD})
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, f"login of {user.username}: {response.status_code}"
        return elapsed

    for user in users:
        log_in(user)
    timings = [log_in(users[index % len(users)]) for index in range(LOGINS)]
    hasher = User.objects.get(pk=users[0].pk).password.split("$")
    p50 = round(statistics.median(timings), 1)
    p95 = round(statistics.quantiles(timings, n=20, method="inclusive")[-1], 1)
    return {
        "login_ms": {"p50": p50, "p95": p95},
        "login_p50_ms": p50,
        "login_p95_ms": p95,
        "login_hash": "$".join(hasher[:4]),  # algorithm, variant, version, parameters
        "logins": len(timings),
    }
