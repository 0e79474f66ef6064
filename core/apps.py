from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from core import schedules, schema  # noqa: F401  (schema registers its OpenAPI extensions)

        schedules.register_default_schedule("core.deliver_pending_notifications", "core.deliver_pending_notifications", every_minutes=1)
        schedules.connect(self)
