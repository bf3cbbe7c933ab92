from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BusinessConfig(AppConfig):
    name = "business"
    verbose_name = _("Business after confirmation")

    def ready(self) -> None:
        from business import notices  # noqa: F401  (registers its notices' writers)
