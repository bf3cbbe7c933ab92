"""How every form of the product is drawn: Bootstrap 5 markup from Django's own form rendering.

One form template (templates/forms/form.html) and one field, drawn in Python (draw_field), draw
every field, through `{{ form }}` or `{{ field.as_field_group }}`; the Bootstrap class of
each widget, and `is-invalid` on a field with errors, come from the bound field below. The
plain widgets (inputs, text areas, selects) are drawn in Python by the renderer too, the same
HTML as Django's templates for them (see DRAWN_WIDGETS).
"""

import datetime
from html import escape

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Django 6.1's label of a select's blank choice (django.db.models.fields.BLANK_CHOICE_LABEL) has
# no Chinese in Django's own catalogue; marked here, the project's catalogue gives it one.
gettext_noop("- Select an option -")

# The Bootstrap class of each kind of widget; any other widget (text, number, date, e-mail,
# password, textarea, file) is a form-control. Hidden inputs get none.
WIDGET_CLASSES = {
    "checkbox": "form-check-input",
    # (BoundField.widget_type is the widget's class name: RadioSelect -> "radioselect".)
    "radioselect": "form-check-input",
    "checkboxselectmultiple": "form-check-input",
    "select": "form-select",
    "selectmultiple": "form-select",
}


class BootstrapBoundField(forms.BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        wanted = WIDGET_CLASSES.get(self.widget_type, "form-control")
        if widget.is_hidden:
            return attrs
        classes = attrs.get("class", widget.attrs.get("class", "")).split()
        for name in (wanted, "is-invalid" if self.errors else None):
            if name and name not in classes:
                classes.append(name)
        attrs["class"] = " ".join(classes)
        return attrs


class DayField(forms.DateField):
    """A day typed into a form or a query string (?day=, ?until=): one of the years a person
    can mean, 1900 to 2099, or the field's error. Python's dates reach 9999-12-31, and a page
    that looks at the day after one (a day's end, a link to the next day) or turns it into a
    moment in the time zone fails on the last days of that range with a server error; nothing
    the registry holds or plans lies outside these years. (The record's own dates have stricter
    rules: practitioners.fieldrules.)"""

    EARLIEST = datetime.date(1900, 1, 1)
    LATEST = datetime.date(2099, 12, 31)
    default_error_messages = {"out_of_range": _("Enter a date from 1900 to 2099.")}

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not self.EARLIEST <= day <= self.LATEST:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return day


class FormRenderer(TemplatesSetting):
    """The project's template (TEMPLATES) for forms; fields and the plain widgets in Python."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"  # no such template: draw_field draws it
    bound_field_class = BootstrapBoundField

    def render(self, template_name, context, request=None):
        if template_name == self.field_template_name:
            return draw_field(context["field"])
        draw = DRAWN_WIDGETS.get(template_name)
        if draw is not None:
            return draw(context["widget"])
        return super().render(template_name, context, request)


def draw_field(field: forms.BoundField) -> SafeString:
    """Every field of the product, as `{{ field.as_field_group }}` draws it: its label, its
    widget, its errors and its help. Drawn here rather than by a template for the same reason as
    the widgets below: the field template was a third of a form page's time. The ids of the error
    and help lines are the ones Django's widgets name in aria-describedby. A checkbox has its
    label after it; radio buttons and multiple checkboxes are a fieldset with a legend."""
    auto_id = _escaped(field.auto_id)
    label = _escaped(field.label) if field.label else ""
    star = '<span class="asteriskField">*</span>' if field.field.required else ""
    fieldset = field.use_fieldset
    if field.widget_type == "checkbox":
        html = [
            f'\n<div class="mb-3 form-check" id="div_{auto_id}">{field} <label for="'
            f'{_escaped(field.id_for_label)}" class="form-check-label">{label}</label>\n'
        ]
    elif fieldset:
        described = field.aria_describedby
        html = [
            f'\n<fieldset class="mb-3" id="div_{auto_id}"'
            + (f' aria-describedby="{_escaped(described)}"' if described else "")
            + f'>\n  <legend class="form-label fs-6">{label}{star}</legend>\n  '
        ]
        html.extend(
            f'<div class="form-check">{choice.tag()} <label for="{_escaped(choice.id_for_label)}"'
            f' class="form-check-label">{_escaped(choice.choice_label)}</label></div>'
            for choice in field
        )
        html.append("\n")
    else:
        html = [f'\n<div class="mb-3" id="div_{auto_id}">']
        if field.label:
            html.append(
                f'\n  <label for="{_escaped(field.id_for_label)}" class="form-label">'
                f"{label}{star}</label>"
            )
        html.append(f"\n  {field}\n")
    if field.errors:
        shown = " d-block" if fieldset else ""
        html.append(f'\n  <div id="{auto_id}_error" class="invalid-feedback{shown}">')
        html.extend(f"<div>{_escaped(error)}</div>" for error in field.errors)
        html.append("</div>")
    if field.help_text:
        html.append(f'\n  <div id="{auto_id}_helptext" class="form-text">{field.help_text}</div>')
    html.append("\n</fieldset>\n" if fieldset else "\n</div>\n")
    return mark_safe("".join(html))


def _attributes(attrs: dict) -> str:
    """Django's widgets/attrs.html: `name="value"`, a bare name for True, nothing for False."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def draw_input(widget: dict) -> SafeString:
    """Django's widgets/input.html (text, number, e-mail, password, date, hidden, checkbox)."""
    value = "" if widget["value"] is None else f' value="{_escaped(widget["value"])}"'
    return mark_safe(
        f'<input type="{widget["type"]}" name="{_escaped(widget["name"])}"{value}'
        f"{_attributes(widget['attrs'])}>"
    )


def draw_textarea(widget: dict) -> SafeString:
    """Django's widgets/textarea.html."""
    value = _escaped(widget["value"]) if widget["value"] else ""
    return mark_safe(
        f'<textarea name="{_escaped(widget["name"])}"{_attributes(widget["attrs"])}>\n'
        f"{value}</textarea>"
    )


def draw_select(widget: dict) -> SafeString:
    """Django's widgets/select.html and select_option.html: a select's options carry no
    attribute but `selected` (Select.option_inherits_attrs is False)."""
    html = [f'<select name="{_escaped(widget["name"])}"{_attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            html.append(f'<optgroup label="{_escaped(group_name)}">')
        html.extend(
            f'<option value="{_escaped(option["value"])}"'
            f"{' selected' if option['selected'] else ''}>{_escaped(option['label'])}</option>"
            for option in options
        )
        if group_name:
            html.append("</optgroup>")
    html.append("</select>")
    return mark_safe("".join(html))


# Widgets drawn here rather than by their templates: Django draws each widget with two
# templates (the widget's and attrs.html) and each option of a select with two more, which was a
# third of the application form page. tests/test_forms.py holds these to Django's own output.
DRAWN_WIDGETS = {
    **{
        f"django/forms/widgets/{kind}.html": draw_input
        for kind in ("text", "number", "email", "password", "date", "hidden", "checkbox")
    },
    "django/forms/widgets/textarea.html": draw_textarea,
    "django/forms/widgets/select.html": draw_select,
}


def _escaped(value) -> str:
    """As Django's templates show a value: a safe string as it is, anything else escaped."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))
