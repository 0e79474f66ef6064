from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from core.schedules import register_default_schedule

        register_default_schedule("complaints.refresh_overdue", "complaints.refresh_overdue", every_minutes=5)
        register_default_schedule("complaints.auto_close", "complaints.auto_close", crontab="15 * * * *")
