"""No page answers a hostile query string or path value with a server error.

Every named URL of the URL configuration (the permission matrix's list, tests.test_permission_
matrix) is requested as each persona below that gets past the page's door (a persona refused or
sent to log in never reaches the code that reads the input): first as the matrix's cases request
it, noting which query parameters the page reads; then once per hostile value with every one of
those parameters (and the usual names: day, until, bureau, page...) set to that value; then once
per hostile value of each path parameter that the URL's pattern admits (a number of 19 or 31
digits where it takes an int, odd slugs, weeks that cannot exist). Any answer of 500 or more
fails. The test runs on the database the suite runs on: `make test` and CI run it on SQLite and
on PostgreSQL, which fail differently (PostgreSQL refuses a NUL character in text, SQLite an
integer beyond 64 bits).
"""

import pytest
from django.db import transaction
from django.http.request import QueryDict
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from tests.test_permission_matrix import (  # noqa: F401 - the matrix's World and its fixtures
    CASES,
    Case,
    named_urls,
    private_media,
    shared_world,
    world,
    world_media,
)

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "practitioner", "clerk_a", "admin_a", "city_staff")

# Query parameter names the views read, besides those a page is seen to read.
USUAL_NAMES = (
    "day",
    "since",
    "until",
    "week",
    "bureau",
    "page",
    "before",
    "q",
    "format",
    "sort",
    "campaign",
    "kind",
    "status",
    "size",
    "next",
)

QUERY_VALUES = (
    "9999-12-31",  # a date whose next day cannot be
    "0001-01-01",  # one whose day before cannot be
    "\x00",  # PostgreSQL refuses it in text
    "x" * 5000,
    "9" * 5000,  # beyond what int() reads from a string
    "-1",
    "99999999999999999999999",  # beyond a 64-bit integer
    "[]",
    "汉字🙂\u202e",
)

# Each is tried in each path parameter whose pattern admits it (the others keep their
# valid values): numbers at and beyond a 64-bit integer for <int:>, odd slugs, weeks that cannot
# be, division codes no bureau has.
PATH_VALUES = (
    "0",
    "9223372036854775807",  # 2**63 - 1
    "9223372036854775808",  # 2**63
    "1" + "0" * 30,  # 10**30
    "000000000000000000000000001",
    "-1",
    "x" * 300,
    "汉字",
    "a-_-b",
    "0000-W00",
    "9999-W99",
    "2025-W53",  # 2025 has 52 weeks
    "000000",
    "999999",
)


def _refused(response) -> bool:
    """The persona did not get past the page's door: refused, or sent to log in."""
    if response.status_code in (403, 405):
        return True
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


class _ReadNames:
    """Records the names read from each QueryDict (a page's request.GET, the forms bound to
    it), asked for afterwards by the request's query: a POST's own fields are not a query
    string's."""

    def __init__(self, patch):
        self.reads: list[tuple[QueryDict, str]] = []
        for method in ("get", "__getitem__", "getlist", "__contains__"):
            self._wrap(patch, method)

    def _wrap(self, patch, method):
        original = getattr(QueryDict, method)
        reads = self.reads

        def recording(query, key, *args, **kwargs):
            reads.append((query, key))
            return original(query, key, *args, **kwargs)

        patch.setattr(QueryDict, method, recording)

    def names_of(self, query: QueryDict) -> set[str]:
        return {key for read, key in self.reads if read is query}


def _request(client, world, persona, case: Case, url: str, query: dict):
    client.logout()
    if persona != "anonymous":
        client.force_login(world.users[persona])
    with transaction.atomic():
        if case.method == "get":
            response = client.get(url, query)
        else:
            data = getattr(world, case.data)() if case.data else {}
            response = client.post(f"{url}?{_encoded(query)}" if query else url, data)
        transaction.set_rollback(True)
    return response


def _encoded(query: dict) -> str:
    q = QueryDict(mutable=True)
    q.update(query)
    return q.urlencode()


def _cases_of(name: str) -> list[Case]:
    return [case for case in CASES if case.url == name]


def _hostile_paths(case: Case, args: list[str]) -> list[str]:
    """The case's URL with one path parameter at a time replaced by each hostile value that
    the URL's pattern admits."""
    urls = []
    for position in range(len(args)):
        for value in PATH_VALUES:
            try:
                url = reverse(case.url, args=[*args[:position], value, *args[position + 1 :]])
            except NoReverseMatch:
                continue  # the pattern does not admit it: the resolver answers 404
            try:
                if resolve(url).view_name == case.url:
                    urls.append(url)
            except Resolver404:
                continue
    return urls


@pytest.mark.parametrize("name", sorted(set(named_urls())))
def test_no_hostile_input_gives_a_server_error(client, world, monkeypatch, name):
    failures = []

    def check(persona, case, url, query, what=""):
        try:
            response = _request(client, world, persona, case, url, query)
        except Exception as exc:  # noqa: BLE001 - the test client re-raises the view's error
            failures.append(f"{persona} {case.method.upper()} {url} {what}: {exc!r}"[:300])
            return None
        if response.status_code >= 500:
            failures.append(f"{persona} {case.method.upper()} {url} {what}: {response.status_code}")
        return response

    for case in _cases_of(name):
        args = [str(getattr(world, arg)) for arg in case.args]  # some publish: once
        url = reverse(case.url, args=args)
        # The first persona past the page's door, and city staff, who alone may pick another
        # bureau: one request per hostile value each, not one per persona (the test stays quick;
        # the matrix holds who gets past which door).
        personas, read_names = [], set()
        with monkeypatch.context() as patch:
            read = _ReadNames(patch)
            for persona in PERSONAS:
                if personas and persona != "city_staff":
                    continue
                # (a parameter no page reads: a form bound to `request.GET or None` reads its
                # fields only when the query is not empty)
                response = check(persona, case, url, {"probe": ""} | case.query)
                if response is not None and not _refused(response):
                    personas.append(persona)
                    read_names |= read.names_of(response.wsgi_request.GET)
        read_names -= {"probe", *case.query}
        if read_names:
            # Each name the page reads alone (an invalid neighbour in the same form would hide
            # it), unless the case is a variant of the page (?format=csv) or a POST; then all
            # of them with the usual names at once.
            every = sorted({*read_names, *USUAL_NAMES} - set(case.query))
            alone = not case.query and case.method == "get"
            for value in QUERY_VALUES:
                queries = [{key: value} for key in sorted(read_names)] if alone else []
                queries.append(dict.fromkeys(every, value))
                for query in queries:
                    for persona in personas:
                        if persona == "city_staff" and "bureau" not in query and len(personas) > 1:
                            continue  # what city staff alone do: pick another bureau
                        what = f"with {', '.join(query)[:60]} = {value[:20]!r}"
                        check(persona, case, url, query | case.query, what)
        for hostile in _hostile_paths(case, args):
            for persona in personas:
                check(persona, case, hostile, case.query)
    assert failures == []


def test_the_sweep_sees_the_parameters_a_page_reads(client, world, monkeypatch):
    """The sweep sets only the names a page is seen to read (besides the usual ones): were the
    recording blind, it would try no query string at all and pass."""
    client.force_login(world.users["city_staff"])
    with monkeypatch.context() as patch:
        read = _ReadNames(patch)
        response = client.get(reverse("confirmation:queue"), {"probe": ""})
        names = read.names_of(response.wsgi_request.GET)
    assert {"bureau", "day", "kind", "status", "page"} <= names


POSTED = [case for case in CASES if case.method == "post" and case.data]


@pytest.mark.parametrize("case", POSTED, ids=[case.id for case in POSTED])
def test_no_posted_nul_character_gives_a_server_error(client, world, case):
    """Each text a form posts, one at a time, with a NUL character in it (PostgreSQL refuses it
    in text): refused beside the field or left out, never a server error. (The application
    form's draft, which skips the form's checks: tests/collection/test_application.py.)"""
    args = [str(getattr(world, arg)) for arg in case.args]
    url = reverse(case.url, args=args)
    data = getattr(world, case.data)()
    # The first signed-in persona the matrix lets through (a POST's success is often a
    # redirect, as is a visitor's way to the login page).
    persona = next(p for p in PERSONAS[1:] if case.expected[p] not in (403, 404, 405))
    failures = []
    for field, value in data.items():
        if not isinstance(value, str):
            continue
        client.force_login(world.users[persona])
        try:
            with transaction.atomic():
                response = client.post(url, data | {field: value + "\x00"})
                transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 - the test client re-raises the view's error
            failures.append(f"{field}: {exc!r}"[:300])
            continue
        if response.status_code >= 500:
            failures.append(f"{field}: {response.status_code}")
    assert failures == []


# --- The causes found, one by one: what the user is told ----------------------------------


def test_a_day_beyond_2099_is_refused_beside_the_field_and_kept(client, world):
    client.force_login(world.users["city_staff"])
    response = client.get(reverse("practitioners:audit"), {"until": "9999-12-31"})
    assert response.status_code == 400
    assert response.context["form"].errors["until"] == [_("Enter a date from 1900 to 2099.")]
    assert 'value="9999-12-31"' in response.text
    for name, field in (("confirmation:queue", "day"), ("confirmation:day_sheet", "day")):
        response = client.get(reverse(name), {field: "0001-01-01"})
        assert response.status_code == 200  # the page as without the filter
        assert response.context["form"].errors[field] == [_("Enter a date from 1900 to 2099.")]


def test_a_campaign_cannot_end_in_the_year_9999(client, world):
    client.force_login(world.users["city_staff"])
    url = reverse("collection:campaign_edit", args=[world.campaign_pk])
    response = client.post(url, world.campaign_form() | {"collection_due_date": "9999-12-31"})
    assert response.status_code == 400
    assert response.context["form"].errors["collection_due_date"] == [
        _("Enter a date from 1900 to 2099.")
    ]


@pytest.mark.parametrize("number", [2**63, 10**30])
def test_an_identifier_beyond_64_bits_is_not_found(client, world, number):
    week = world.bulletin_week
    for url in (
        f"/bulletins/{number}/{week}/",
        f"/bulletins/{number}/{week}/bulletin.pdf",
        f"/counter/applications/{number}/",
        f"/business/education/{number}/decide/",
    ):
        client.force_login(world.users["clerk_a"])
        assert client.get(url).status_code == 404, url
    assert reverse("reporting:bulletin", args=[10**17, week])  # 18 digits still do


def test_a_bureau_that_is_no_division_code_is_not_found(client, world):
    client.force_login(world.users["city_staff"])
    for code in ("\x00", "450103\x00", "45010", "4501030", "４５０１０３"):
        response = client.get(reverse("confirmation:queue"), {"bureau": code})
        assert response.status_code == 404, code
    assert client.get(reverse("confirmation:queue"), {"bureau": "450103"}).status_code == 200
