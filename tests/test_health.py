"""The health endpoint reports each shared part for real, and 503 when one fails; to anyone
but staff it says only whether the server is usable."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PARTS = ("database", "cache", "storage", "tasks")


def test_every_part_is_checked_and_reported_to_staff(client, city_staff):
    client.force_login(city_staff)
    response = client.get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["ok"] is True
    assert set(body) == {"status", "ok", *PARTS, "figures"}
    assert all(body[part]["ok"] for part in PARTS)
    assert body["database"]["vendor"] and body["tasks"]["backend"]
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["anonymous", "practitioner_user"])
def test_anyone_but_staff_is_told_only_ok(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}  # no backend, vendor, timing or queue size
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_broken_part_makes_it_answer_503(client, monkeypatch, city_staff):
    from accounting_registry import health

    def broken():
        raise ConnectionError("object store unreachable")

    monkeypatch.setattr(health, "_storage", broken)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}

    client.force_login(city_staff)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False and body["storage"] == {
        "ok": False,
        "error": "ConnectionError",
        "ms": body["storage"]["ms"],
    }
    assert body["database"]["ok"]
