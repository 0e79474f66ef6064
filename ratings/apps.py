from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = _("Metrics and ratings")

    def ready(self) -> None:
        from core import schedules
        from ratings import sources

        # Metric families contributed by the domain apps (committees, inspections, mediation) once they exist.
        sources.register_all()
        schedules.register_default_schedule("ratings.metrics_incremental", "ratings.compute_metrics", every_minutes=15)
        schedules.register_default_schedule("ratings.metrics_full", "ratings.compute_metrics_full", crontab="30 2 * * *")
        schedules.connect(self)
