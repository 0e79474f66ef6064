from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = _("Owners' committees")

    def ready(self) -> None:
        from committees import desk, signals
        from core import schedules

        desk.register()
        signals.connect()

        schedules.register_default_schedule("committees.remind_terms_ending", "committees.remind_terms_ending", crontab="30 8 * * *")
        schedules.register_default_schedule("committees.recount_members", "committees.recount_members", crontab="50 2 * * *")
