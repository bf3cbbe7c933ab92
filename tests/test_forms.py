"""How forms are drawn (core.forms): the plain widgets drawn in Python give
Django's own HTML, and every field carries Bootstrap's classes, its error and its help."""

import inspect
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.forms import DRAWN_WIDGETS, FormRenderer

HOSTILE = '"><script>alert(1)</script>&amp;'


def django_and_ours(widget: forms.Widget, value, attrs=None) -> tuple[str, str]:
    def tidy(html: str) -> str:
        return re.sub(r">\s+<", "><", str(html)).strip()

    return (
        tidy(widget.render("field", value, attrs, renderer=DjangoTemplates())),
        tidy(widget.render("field", value, attrs, renderer=FormRenderer())),
    )


CHOICES = [("", "—"), ("a", "A & B"), (1, gettext_lazy("Yes")), ("q", mark_safe("<b>safe</b>"))]


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.TextInput(), None),
        (forms.TextInput(attrs={"class": "x", "required": True, "disabled": False}), HOSTILE),
        (forms.TextInput(attrs={"data-n": 3, "title": HOSTILE}), 0),
        (forms.NumberInput(), 12),
        (forms.EmailInput(), "a@b.cn"),
        (forms.PasswordInput(), "secret"),
        (forms.PasswordInput(render_value=True), "secret"),
        (forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "2011-06-30"),
        (forms.HiddenInput(), 7),
        (forms.CheckboxInput(), True),
        (forms.CheckboxInput(), False),
        (forms.Textarea(attrs={"rows": 2}), None),
        (forms.Textarea(), ""),
        (forms.Textarea(), HOSTILE + "\nsecond line"),
        (forms.Select(choices=CHOICES), None),
        (forms.Select(choices=CHOICES), "a"),
        (forms.Select(choices=CHOICES), 1),
        (forms.Select(choices=[("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")]), "y"),
    ],
)
def test_a_widget_drawn_in_python_is_what_django_draws(widget, value):
    theirs, ours = django_and_ours(widget, value, {"id": "id_field"})
    assert ours == theirs


def test_every_widget_drawn_in_python_has_its_django_template():
    """Each template DRAWN_WIDGETS stands in for is a Django widget's, and every Django widget
    that uses it comes out of the renderer as that template draws it: a template added to the
    table with the wrong drawing, or a widget sharing a template in its own way, is caught here
    and not on a page."""
    widgets = [getattr(forms.widgets, name) for name in forms.widgets.__all__]  # public ones
    for name in DRAWN_WIDGETS:
        users = [cls for cls in widgets if getattr(cls, "template_name", None) == name]
        assert users, f"{name} is no Django widget's template"
        for cls in users:
            takes_choices = "choices" in inspect.signature(cls.__init__).parameters
            widget = cls(choices=CHOICES) if takes_choices else cls()
            for value in (None, "", "a", 1, HOSTILE):
                theirs, ours = django_and_ours(widget, value, {"id": "id_field"})
                assert ours == theirs, (name, cls.__name__, value)


class Sample(forms.Form):
    name = forms.CharField(label="Name", help_text="As on the card.")
    kind = forms.ChoiceField(label="Kind", choices=[("1", "One"), ("2", "Two")])
    agree = forms.BooleanField(label="Agree", required=False)
    choice = forms.ChoiceField(
        label="Choice", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    revision = forms.IntegerField(widget=forms.HiddenInput)


def test_a_field_with_an_error_is_marked_and_says_so_next_to_it_keeping_the_text():
    form = Sample({"name": "", "kind": "9", "choice": "z", "note": HOSTILE, "revision": "1"})
    assert not form.is_valid()
    html = str(form)

    name = re.search(r"<input[^>]*name=\"name\"[^>]*>", html).group(0)
    assert 'class="form-control is-invalid"' in name
    assert 'aria-describedby="id_name_helptext id_name_error"' in name
    assert '<div id="id_name_error" class="invalid-feedback">' in html
    assert '<div id="id_name_helptext" class="form-text">As on the card.</div>' in html
    assert 'class="form-select is-invalid"' in html
    assert '<div id="id_choice_error" class="invalid-feedback d-block">' in html  # in its fieldset
    assert "&quot;&gt;&lt;script&gt;" in html and "<script>" not in html  # kept, escaped
    assert 'class="form-check-input" id="id_agree"' in html
    # A radio is drawn as a radio, its choice visible: never as a full-width text box.
    radios = re.findall(r"<input[^>]*type=\"radio\"[^>]*>", html)
    assert len(radios) == 2 and all(
        "form-check-input" in r and "form-control" not in r for r in radios
    )
    assert html.count("<label") == 6  # one a field, one a radio (their group has a legend)
    assert html.count("<legend") == 1
    assert '<input type="hidden" name="revision" value="1" id="id_revision">' in html


def test_a_valid_field_is_not_marked_and_an_explicit_class_is_kept():
    class Small(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"class": "form-control-sm"}))

    html = str(Small({"day": "2011-06-30"}))
    assert 'class="form-control-sm form-control"' in html
    assert "is-invalid" not in html and "invalid-feedback" not in html


def test_a_field_label_is_escaped_and_marked_required_and_an_empty_label_is_left_out():
    class Labels(forms.Form):
        named = forms.CharField(label=HOSTILE, help_text=mark_safe("<b>bold</b> help"))
        unnamed = forms.CharField(label="", required=False)

    html = str(Labels())
    assert (
        '<label for="id_named" class="form-label">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'
        '&amp;amp;<span class="asteriskField">*</span></label>' in html
    )
    assert '<div id="id_named_helptext" class="form-text"><b>bold</b> help</div>' in html
    assert '<div class="mb-3" id="div_id_unnamed">\n  <input' in html  # no empty label
    assert html.count("asteriskField") == 1
