from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from core import schedules

        schedules.register_default_schedule("core.deliver_pending_notifications", "core.deliver_pending_notifications", every_minutes=1)
        schedules.register_default_schedule("core.purge_expired_exports", "core.purge_expired_exports", every_minutes=60)
        schedules.connect(self)
