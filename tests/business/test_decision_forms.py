"""业务审核: each row's decision is its own button. Enter in the reason box submits the form the
box is in with that form's first submit button (HTML's implicit submission), so that form must
be the return form; a post that names no button decides nothing."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from business import services
from business.constants import RegistrationStatus
from business.models import EducationRecord

pytestmark = pytest.mark.django_db

DECISIONS = reverse("business:decisions")


class _Forms(HTMLParser):
    """The page's forms: for each, its field names and its submit buttons' (name, value) in
    document order (a <button> without a type submits)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = {"action": attrs.get("action"), "fields": [], "buttons": []}
            self.forms.append(self._open)
        elif self._open is None:
            return
        elif tag == "button" and attrs.get("type", "submit") == "submit":
            self._open["buttons"].append((attrs.get("name"), attrs.get("value")))
        elif tag in ("input", "textarea", "select") and attrs.get("type") != "hidden":
            self._open["fields"].append(attrs.get("name"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


@pytest.fixture
def waiting(confirmed_a, account_a):
    return services.register_education(
        practitioner=confirmed_a,
        actor=account_a,
        values={"year": 2025, "hours": 24, "provider": "南宁市会计学会", "content": "准则"},
    )


def test_enter_in_the_reason_box_submits_the_return_form_not_approve(client, clerk_a, waiting):
    client.force_login(clerk_a)
    parser = _Forms()
    parser.feed(client.get(DECISIONS).text)
    action = reverse("business:decide", args=["education", waiting.pk])
    row_forms = [form for form in parser.forms if form["action"] == action]
    with_reason = [form for form in row_forms if "reason" in form["fields"]]
    assert len(with_reason) == 1
    # The default button of the reason's form (what Enter presses) returns; approve is not in it.
    assert with_reason[0]["buttons"][0] == ("action", "return")
    assert ("action", "approve") not in with_reason[0]["buttons"]
    # Approve is still one explicit button of the row, in a form with nothing to type.
    approve = [form for form in row_forms if ("action", "approve") in form["buttons"]]
    assert len(approve) == 1 and approve[0]["fields"] == []


def test_a_post_without_the_buttons_name_decides_nothing(client, clerk_a, waiting):
    client.force_login(clerk_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("business:decide", args=["education", waiting.pk])

    response = client.post(url, {"reason": "请上传学时证明"}, follow=True)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.SUBMITTED
    assert EducationRecord.objects.get().decided_by is None
    messages = " ".join(str(m) for m in response.context["messages"])
    assert "Press Approve or Return: nothing was decided." in messages
