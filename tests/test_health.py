"""The health endpoint reports each shared part for real, and 503 when one fails."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_part_is_checked_and_reported(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert set(body) == {"ok", "database", "cache", "storage", "tasks"}
    assert all(body[part]["ok"] for part in ("database", "cache", "storage", "tasks"))
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_broken_part_makes_it_answer_503(client, monkeypatch):
    from accounting_registry import health

    def broken():
        raise ConnectionError("object store unreachable")

    monkeypatch.setattr(health, "_storage", broken)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False and body["storage"] == {
        "ok": False,
        "error": "ConnectionError",
        "ms": body["storage"]["ms"],
    }
    assert body["database"]["ok"]
