from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("Deliberation and mediation")

    def ready(self) -> None:
        from mediation import desk

        desk.register()
        from core.registry import register_actor_fields
        from core.schedules import register_default_schedule

        register_actor_fields("mediation.Topic", "decided_by")  # the official who decided, not their data

        # Early morning, local time: extend deliberation-day sessions to the horizon.
        register_default_schedule("mediation.generate_sessions", "mediation.tasks.generate_sessions", crontab="10 2 * * *")
