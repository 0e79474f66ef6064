"""`manage.py compute_metrics [--full]`: recompute the metric snapshots now."""

from django.core.management.base import BaseCommand

from ratings import services


class Command(BaseCommand):
    help = "Recompute the metric snapshots (incremental unless --full)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="Recompute every compound-month, not only those touched since the last run."
        )

    def handle(self, *args, full: bool = False, **options) -> None:
        result = services.metrics_compute(full=full)
        if result.skipped:
            self.stdout.write(self.style.WARNING("Another metrics run holds the lock; nothing done."))
            return
        run = result.run
        self.stdout.write(
            f"{run.get_kind_display()} run: {run.touched} compound-months, {run.month_from:%Y-%m}..{run.month_to:%Y-%m}, {run.duration_ms} ms"
        )
