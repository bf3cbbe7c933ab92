"""Bad input, generated (Hypothesis): whatever a person (or a script) types into a form or
uploads, the answer is never a 500, a refused form writes nothing, and a refused form shows
the user's own text again.

Each example runs in a savepoint that is rolled back, so examples do not see each other's
writes; the examples are few per form (the suite runs them on every CI run) and the database
is real (SQLite or PostgreSQL, as the suite's).
"""

import html
import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from business.models import EducationRecord, OnPostRegistration
from collection import diff
from collection.models import Application, Photo, Submission
from practitioners import imports
from practitioners.constants import CONTACT_FIELDS
from practitioners.models import AuditEvent, Practitioner
from practitioners.registerfile import HEADERS, RegisterFileError
from tests.helpers import rolled_back

pytestmark = pytest.mark.django_db

# derandomize: the same examples on every run (CI never meets a new one by chance); the
# sampled strings above hold the inputs known to matter.
EXAMPLES = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as people and scripts send it: any Unicode (emoji, control and zero-width characters,
# right-to-left marks), long runs, spreadsheet formulas, markup, and no surrogates (a browser
# cannot send them as UTF-8).
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
    st.sampled_from(
        [
            '=HYPERLINK("http://x","y")',
            "<script>alert(1)</script>",
            "'; DROP TABLE x;--",
            "\u202e逆序",
            "\x00",
            "0\x004",
            "会" * 5000,
            " ",
            "１２３４５６７８９０",
        ]
    ),
)


def counts() -> tuple:
    return tuple(
        model.objects.count()
        for model in (
            Practitioner,
            Application,
            Submission,
            Photo,
            OnPostRegistration,
            EducationRecord,
        )
    )


def assert_kept(response, value: str) -> None:
    """The typed text is on the page again (escaped as the template escapes it; a form field
    shows what was posted, a NUL character included, with the message beside it)."""
    text = response.content.decode()
    shown = value.strip()
    if shown and len(shown) < 2000:
        forms = {html.escape(shown, quote=True), html.escape(shown)}
        forms |= {html.escape(shown.replace("\x00", ""), quote=True)}
        assert any(form in text for form in forms), value


def _application_post(practitioner, field: str, value: str, action: str) -> dict:
    values = diff.record_values(practitioner)
    data = {k: v for k, v in values.items() if not isinstance(v, bool)}
    data.update(revision=0, action=action)
    data[field] = value
    return data


APPLICATION_TEXT_FIELDS = (
    "name",
    "ethnicity",
    "birth_date",
    "id_number",
    "major",
    "school",
    "graduation_date",
    "title_cert_number",
    "employer",
    "employer_credit_code",
    "position",
    "mobile",
    "email",
    "address",
    "postcode",
)


@EXAMPLES
@given(field=st.sampled_from(APPLICATION_TEXT_FIELDS), value=TEXT)
def test_the_application_form_never_fails_and_keeps_what_was_typed(
    client, account_a, practitioner_a, with_photo, field, value
):
    client.force_login(account_a)
    application = Application.objects.get(practitioner=practitioner_a)
    with rolled_back():
        before = counts()
        data = _application_post(practitioner_a, field, value, "submit")
        data["revision"] = application.revision
        response = client.post(reverse("collection:application"), data)
        assert response.status_code in (302, 400), response.status_code
        if response.status_code == 400:
            assert counts() == before
            assert not Submission.objects.exists()
            if field != "ethnicity":  # a list to choose from: the page shows the choices
                assert_kept(response, value)


@EXAMPLES
@given(field=st.sampled_from(CONTACT_FIELDS), value=TEXT)
def test_the_contact_form_never_fails_and_keeps_what_was_typed(client, request, field, value):
    practitioner = request.getfixturevalue("confirmed_person")
    client.force_login(practitioner.account)
    with rolled_back():
        events = AuditEvent.objects.count()
        data = {name: getattr(practitioner, name) for name in CONTACT_FIELDS}
        data[field] = value
        response = client.post(reverse("collection:contact"), data)
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert AuditEvent.objects.count() == events
            assert_kept(response, value)


REGISTRATIONS = {
    "business:on_post": ("employer", "employer_credit_code", "post", "start_date"),
    "business:education": ("year", "hours", "provider", "content"),
}
VALID = {
    "employer": "南宁市某公司",
    "employer_credit_code": "",
    "post": "会计",
    "start_date": "2024-01-01",
    "year": "2024",
    "hours": "24",
    "provider": "南宁市会计学会",
    "content": "准则",
}


@EXAMPLES
@given(
    page=st.sampled_from(sorted(REGISTRATIONS)),
    which=st.integers(min_value=0, max_value=3),
    value=TEXT,
)
def test_the_registration_forms_never_fail_and_write_nothing_when_refused(
    client, request, page, which, value
):
    practitioner = request.getfixturevalue("confirmed_person")
    client.force_login(practitioner.account)
    fields = REGISTRATIONS[page]
    with rolled_back():
        before = counts()
        data = {name: VALID[name] for name in fields}
        data[fields[which]] = value
        response = client.post(reverse(page), data)
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert counts() == before
            if fields[which] not in ("year", "hours", "start_date"):
                assert_kept(response, value)


@EXAMPLES
@given(name=TEXT, id_number=TEXT, cert_number=TEXT, mobile=TEXT, password=st.text(max_size=40))
def test_activation_never_fails(client, db, name, id_number, cert_number, mobile, password):
    with rolled_back():
        response = client.post(
            reverse("collection:activate"),
            {
                "name": name,
                "id_number": id_number,
                "cert_number": cert_number,
                "password1": password,
                "password2": password,
                "mobile": mobile,
            },
        )
        assert response.status_code in (200, 302, 400, 429)


# Files: random bytes, truncated images, and files that claim to be what they are not.
FILES = st.one_of(
    st.binary(max_size=4096),
    st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(
            [
                b"\xff\xd8\xff\xe0",
                b"\x89PNG\r\n\x1a\n",
                b"PK\x03\x04",
                b"%PDF-1.7",
                b"GIF89a",
                b"<svg",
            ]
        ),
        st.binary(max_size=2048),
    ),
)


@EXAMPLES
@given(data=FILES, name=st.sampled_from(["me.jpg", "照片.png", "x.pdf", "a", "../../etc/passwd"]))
def test_photo_uploads_never_fail_and_a_refused_file_stores_nothing(
    client, account_a, practitioner_a, campaign, data, name
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(account_a)
    with rolled_back():
        before = counts()
        response = client.post(
            reverse("collection:photo_upload"), {"photo": SimpleUploadedFile(name, data)}
        )
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert counts()[3] == before[3]  # no photo


@EXAMPLES
@given(data=FILES, name=st.sampled_from(["register.csv", "register.xlsx", "r.json", "x"]))
def test_register_uploads_never_fail_and_a_refused_file_writes_nothing(client, admin_a, data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_a)
    with rolled_back():
        before = counts()
        response = client.post(
            reverse("business:register_import"), {"file": SimpleUploadedFile(name, data)}
        )
        assert response.status_code in (200, 302, 400)
        if response.status_code != 302:
            assert counts()[0] == before[0]


# JSON as a script might write it: any value, nested, keyed by the register's headers or any
# text; mostly a list of objects, the shape a register file has.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(HEADERS) | TEXT, inner, max_size=6)
    ),
    max_leaves=12,
)
JSON_FILES = st.lists(st.dictionaries(st.sampled_from(HEADERS) | TEXT, JSON_VALUES), max_size=4)


@EXAMPLES
@given(value=st.one_of(JSON_FILES, JSON_VALUES))
def test_register_json_is_read_or_refused_with_a_reason(admin_a, value):
    data = json.dumps(value, ensure_ascii=False).encode()
    with rolled_back():
        try:
            imports.import_register(actor=admin_a, data=data, dry_run=True)
        except RegisterFileError as error:
            assert str(error)


@EXAMPLES
@given(
    data=FILES,
    name=st.sampled_from(["方案.pdf", "plan.docx", "plan.doc", "x.wps", "a.odt", "b"]),
    summary=TEXT,
)
def test_work_plan_uploads_never_fail_and_a_refused_file_keeps_the_summary(
    client, admin_a, campaign, data, name, summary
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reporting.models import WorkPlanVersion

    client.force_login(admin_a)
    with rolled_back():
        versions = WorkPlanVersion.objects.count()
        response = client.post(
            reverse("reporting:plan", args=["450103"]),
            {"file": SimpleUploadedFile(name, data), "summary": summary, "revision": ""},
        )
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert WorkPlanVersion.objects.count() == versions
            if len(summary.strip()) < 500:
                assert_kept(response, summary)
