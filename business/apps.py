from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BusinessConfig(AppConfig):
    name = "business"
    verbose_name = _("Business after confirmation")

    def ready(self):
        from business import receivers
        from practitioners.signals import earlier_records_imported

        earlier_records_imported.connect(
            receivers.write_earlier_records, dispatch_uid="business.earlier_records"
        )
