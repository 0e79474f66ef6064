"""Demo bulletins: last month's draft for 泉港区 and each of its towns (what the monthly task would have made)."""

from __future__ import annotations

from bulletins import services


def seed(stdout) -> None:
    stdout.write(f"  {services.bulletins_generate_last_month()} bulletins generated")
