"""Load the demo district (seed article: Quangang district). Deterministic and safe to run twice.

Each app owns its demo data in `<app>/demo.py` with a `seed(stdout)` function; this command calls
them in the dependency order of settings.LINLI_APPS, each in its own transaction.
"""

import importlib
import random

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the Quangang demo district with its accounts (password linli-demo-2026)."

    def handle(self, *args, **options) -> None:
        for app in settings.LINLI_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            random.seed(f"linli-{app}")
            with transaction.atomic():
                module.seed(self.stdout)
            self.stdout.write(f"seeded {app}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
