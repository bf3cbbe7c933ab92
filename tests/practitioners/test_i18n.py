import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_are_in_simplified_chinese_by_default(client, clerk_a):
    client.force_login(clerk_a)
    html = client.get(reverse("practitioners:list")).content.decode()
    assert 'lang="zh-hans"' in html
    assert "人员名册" in html and "退出登录" in html


def test_english_can_be_chosen_and_sticks(client, clerk_a):
    client.force_login(clerk_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/register/"})
    html = client.get(reverse("practitioners:list")).content.decode()
    assert 'lang="en"' in html and "Log out" in html


def test_login_page_is_chinese_for_a_chinese_browser(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "登录" in html


def test_a_selects_blank_choice_reads_in_chinese():
    # Django 6.1's blank-choice label has no Chinese in Django's own catalogue (core.forms).
    from django.db.models.fields import BLANK_CHOICE_LABEL
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) == "- 请选择 -"


def test_a_wrong_password_is_told_in_words_that_fit_an_id_number(client, account_a):
    from django.utils.translation import gettext as _

    response = client.post(
        reverse("login"), {"username": account_a.username, "password": "not-the-password"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "case-sensitive" not in page and "区分大小写" not in page
    expected = _(
        "The ID number (or user name) and password do not match. Check them and try again."
    )
    assert expected in page
