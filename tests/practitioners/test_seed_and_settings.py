from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from core.env import database_from_url, env_bool, env_int, env_list
from practitioners.constants import Role
from practitioners.idnumbers import check_id_number
from practitioners.models import Bureau, Practitioner, User


@pytest.mark.django_db
def test_bureaus_of_the_2011_campaign_are_loaded_by_migration():
    codes = set(Bureau.objects.values_list("code", flat=True))
    assert codes == {
        "450100",
        "450102",
        "450103",
        "450105",
        "450107",
        "450108",
        "450109",
        "450122",
        "450123",
        "450124",
        "450125",
        "450126",
        "450127",
    }
    city = Bureau.objects.get(code="450100")
    assert city.is_city and "建政路3号" in city.hall_address
    assert all(b.hall_address and b.hall_phone and b.hall_hours for b in Bureau.objects.all())
    assert Bureau.objects.get(code="450127").parent == city


@pytest.mark.django_db
def test_seed_demo_is_realistic_and_running_it_twice_adds_nothing(capsys):
    call_command("seed_demo", "--practitioners", "300")
    call_command("seed_demo", "--practitioners", "300")
    assert Practitioner.objects.count() == 300
    out = capsys.readouterr().out
    assert "Registry-2026" in out and "clerk_450103" in out
    assert Practitioner.objects.values("bureau").distinct().count() == 13
    for p in Practitioner.objects.all()[:100]:
        check = check_id_number(p.id_number)
        assert check.ok, p.id_number
        assert p.birth_date == check.birth_date and p.gender == check.gender
        assert p.id_number.startswith("45")
    # every bureau has a clerk, every county an admin, the city its staff; all can log in
    assert User.objects.filter(role=Role.CLERK).count() == 13
    assert User.objects.filter(role=Role.BUREAU_ADMIN).count() == 12
    assert authenticate(username="clerk_450103", password="Registry-2026").bureau.code == "450103"
    assert authenticate(username="city", password="Registry-2026").role == Role.CITY_STAFF


def test_env_helpers_read_typed_values_and_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 0) == 12
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 0)


def test_database_url_parsing():
    base = Path("/srv/app")
    pg = database_from_url("postgres://reg:s%40cret@db.internal:5433/registry", base_dir=base)
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "registry",
        "reg",
        "s@cret",
        "db.internal",
        "5433",
    )
    assert database_from_url("sqlite:///db.sqlite3", base_dir=base)["NAME"] == "/srv/app/db.sqlite3"
    assert database_from_url("sqlite:////var/lib/r.db", base_dir=base)["NAME"] == "/var/lib/r.db"
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://x/y", base_dir=base)
