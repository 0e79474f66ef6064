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
        months = f"{run.month_from:%Y-%m}..{run.month_to:%Y-%m}"
        self.stdout.write(f"{run.kind} run: {run.touched} compound-months, {months}, {run.duration_ms} ms")
