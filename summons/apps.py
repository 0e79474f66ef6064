from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummonsConfig(AppConfig):
    name = "summons"
    verbose_name = _("Summonses")

    def ready(self) -> None:
        from summons import desk

        desk.register()
