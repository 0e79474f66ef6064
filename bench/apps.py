"""The bench as an app of bench.settings only: applies the plain version of one fast path (BENCH_WITHOUT)."""

from django.apps import AppConfig
from django.conf import settings


class BenchConfig(AppConfig):
    name = "bench"
    label = "bench"

    def ready(self) -> None:
        from bench.without import patch

        if settings.BENCH_WITHOUT:
            patch(settings.BENCH_WITHOUT)
