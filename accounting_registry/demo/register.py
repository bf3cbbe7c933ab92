"""The demo's first chapter: the staff accounts, and the register imported from the old
system's export as a bureau would import it (some people with the business they did before
the system: on-post since, continuing education hours)."""

import csv
import datetime
import io
import random
from collections.abc import Callable

from django.contrib.auth.hashers import make_password

from business import registerimport
from core import spreadsheets
from practitioners import registerfile
from practitioners.constants import Role
from practitioners.demo import DEMO_PASSWORD, demo_people
from practitioners.models import Bureau, Practitioner, User

from .applications import Plan

REGISTER_AGE_DAYS = 120  # the register was imported from the old system before the campaign
IMPORT_ROWS = 20_000  # people per imported file


def staff_accounts(bureaus: list[Bureau]) -> list[tuple[str, str, str]]:
    """The demo's staff accounts, one password for all (hashed once): the city's, a clerk of
    every bureau, an admin of every county, and Django's superuser. (user name, role, bureau)"""
    password = make_password(DEMO_PASSWORD)
    city = next(b for b in bureaus if b.is_city)
    wanted = [
        ("admin", None, city, "系统管理员"),
        ("city", Role.CITY_STAFF, city, "市会计管理科 李科长"),
    ]
    for bureau in bureaus:
        wanted.append((f"clerk_{bureau.code}", Role.CLERK, bureau, f"{bureau.short_name}受理员"))
        if not bureau.is_city:
            wanted.append(
                (
                    f"admin_{bureau.code}",
                    Role.BUREAU_ADMIN,
                    bureau,
                    f"{bureau.short_name}会计管理股",
                )
            )
    rows = []
    for username, role, bureau, display in wanted:
        superuser = role is None
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": Role.CITY_STAFF if superuser else role,
                "bureau": bureau,
                "display_name": display,
                "password": password,
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        label = "superuser (Django admin)" if superuser else str(user.get_role_display())
        rows.append((username, label, bureau.name))
    return rows


def register_file(people: list[dict], earlier: dict[str, dict]) -> bytes:
    """The old system's export, as a bureau would import it: the register's columns and, for
    some people, the business they did before the system (上岗日期, 继续教育学时)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*registerfile.HEADERS, "上岗日期", "继续教育学时"])
    for person in people:
        before = earlier.get(person["id_number"], {})
        since = before.get("on_post_since")
        hours = "；".join(f"{year}:{h}" for year, h in before.get("education_hours", []))
        row = [*registerfile.record_to_row(person), since.isoformat() if since else "", hours]
        writer.writerow(spreadsheets.csv_row(row))
    return out.getvalue().encode("utf-8")


def import_register(count: int, *, codes: list[str], earlier_share: Callable[[int], dict]) -> int:
    """Import those of people 0..count the register does not hold yet (the others may have
    been moved or corrected since); returns how many are new."""
    created = 0
    for start in range(0, count, IMPORT_ROWS):
        stop = min(start + IMPORT_ROWS, count)
        people = list(demo_people(start, stop, codes))
        held = set(
            Practitioner.objects.filter(id_number__in=[p["id_number"] for p in people]).values_list(
                "id_number", flat=True
            )
        )
        people = [p for p in people if p["id_number"] not in held]
        if not people:
            continue
        earlier = {}
        for i, person in enumerate(demo_people(start, stop, codes), start=start):
            before = earlier_share(i) if person["id_number"] not in held else {}
            if before:
                earlier[person["id_number"]] = before
        result = registerimport.import_register(
            actor=None, data=register_file(people, earlier), filename="旧系统导出.csv"
        )
        if not result.ok:
            raise RuntimeError(f"the demo register does not import: {list(result.problems)[:3]}")
        created += result.created
    return created


def earlier_business(index: int, plan: Plan | None) -> dict:
    """Business before the system carried by the import: a third of those who will confirm,
    and every 25th of the first 2,000 people (most of whom never collect: the flagged list)."""
    rng = random.Random(index * 31 + 5)
    if not (
        (plan and plan.outcome == "confirmed" and index % 3 == 0)
        or (index < 2000 and index % 25 == 0)
    ):
        return {}
    since = datetime.date(rng.randint(2008, 2020), rng.randint(1, 12), 1)
    return {
        "on_post_since": since,
        "education_hours": [
            (year, rng.choice((24, 36, 48))) for year in range(max(since.year, 2021), 2026)
        ],
    }
