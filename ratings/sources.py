"""Metric families the other domain apps contribute (committees, inspections, mediation).

Each registers only if its app's models exist, so the engine works before and after they land.
"""


def register_all() -> None:
    """Hooks for committees, inspections and mediation; filled in as those apps land."""
