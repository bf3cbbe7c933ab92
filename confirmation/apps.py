from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConfirmationConfig(AppConfig):
    name = "confirmation"
    verbose_name = _("Counter confirmation")
