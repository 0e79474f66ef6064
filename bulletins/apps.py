from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = _("Monthly bulletins")

    def ready(self) -> None:
        from bulletins import desk
        from core import schedules

        desk.register()
        # 06:30 on the first of each month, after the nightly full metrics run (02:30) has closed the month.
        schedules.register_default_schedule("bulletins.monthly", "bulletins.generate_monthly", crontab="30 6 1 * *")
