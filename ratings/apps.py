from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = _("Metrics and ratings")

    def ready(self) -> None:
        from core import registry, schedules
        from ratings import desk, sources

        # Metric families of the domain apps (committees, inspections, mediation).
        sources.register_all()
        desk.register()
        # Company evaluations: who computed, confirmed, adjusted (with the reason) and published.
        registry.register_actor_fields("ratings.EvaluationEvent", "actor")
        registry.register_audit_events(
            registry.AuditEvents(model="ratings.EvaluationEvent", time="at", actor="actor", action="kind", path="")
        )
        schedules.register_default_schedule("ratings.metrics_incremental", "ratings.compute_metrics", every_minutes=15)
        schedules.register_default_schedule("ratings.metrics_full", "ratings.compute_metrics_full", crontab="30 2 * * *")
        schedules.connect(self)
