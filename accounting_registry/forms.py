"""How every form of the product is drawn: Bootstrap 5 markup from Django's own form rendering.

One field template (templates/forms/field.html) and one form template (templates/forms/form.html)
draw every field, through `{{ form }}` or `{{ field.as_field_group }}`; the Bootstrap class of
each widget, and `is-invalid` on a field with errors, come from the bound field below. The
select's options are drawn by `select_options` below rather than by a template each (Django's
select_option.html): the application form's 56 ethnic groups took 3 ms that way, a tenth of the
page.
"""

from html import escape

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import SafeString, mark_safe

# The Bootstrap class of each kind of widget; any other widget (text, number, date, e-mail,
# password, textarea, file) is a form-control. Hidden inputs get none.
WIDGET_CLASSES = {
    "checkbox": "form-check-input",
    "radio": "form-check-input",
    "select": "form-select",
    "selectmultiple": "form-select",
    "hidden": "",
}


class BootstrapBoundField(forms.BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        wanted = WIDGET_CLASSES.get(self.widget_type, "form-control")
        if widget.is_hidden or not wanted:
            return attrs
        classes = attrs.get("class", widget.attrs.get("class", "")).split()
        for name in (wanted, "is-invalid" if self.errors else None):
            if name and name not in classes:
                classes.append(name)
        attrs["class"] = " ".join(classes)
        return attrs


class FormRenderer(TemplatesSetting):
    """The project's templates (TEMPLATES), so templates/django/forms/ overrides Django's."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = BootstrapBoundField


def select_options(optgroups) -> SafeString:
    """A select's options (Select.optgroups), as Django's select_option.html draws them: a
    select's options carry no attribute but `selected` (Select.option_inherits_attrs is False).
    Escaped as Django's templates do (a safe string is kept), without their lazy-string wrapper."""
    html = []
    for group_name, options, _index in optgroups:
        if group_name:
            html.append(f'<optgroup label="{_escaped(group_name)}">')
        html.extend(
            f'<option value="{_escaped(option["value"])}"'
            f"{' selected' if option['selected'] else ''}>{_escaped(option['label'])}</option>"
            for option in options
        )
        if group_name:
            html.append("</optgroup>")
    return mark_safe("".join(html))


def _escaped(value) -> str:
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))
