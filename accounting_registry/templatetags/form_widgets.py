from django import template

from accounting_registry.forms import select_options

register = template.Library()
register.filter("select_options", select_options)
