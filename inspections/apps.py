from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from inspections import desk

        desk.register()
        from core.schedules import register_default_schedule

        # Hourly is enough for day-granular deadlines and catches up soon after a worker outage.
        register_default_schedule("inspections.rectification_deadlines", "inspections.rectification_deadlines", every_minutes=60)
