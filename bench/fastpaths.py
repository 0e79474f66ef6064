"""What each fast path of complaint filing is worth: `make bench-create` with it and without it.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/fastpaths.py [--seconds 10] [--only a,b]

For each variant of bench/without.py runs bench/complaint_create.py with `--plain <name>`: beside the
bench's server a second one with that fast path replaced by its plain version (BENCH_WITHOUT), and the
bare view, the API and the plain API alternate in the same rounds, so the two ratios (API/bare,
plain/bare) see the same load of a shared machine. The same run with two identical servers
(`--plain none`), `--baselines` times, shows what difference the machine alone makes: the noise.
Prints one line per fast path: the ratio with it, without it, the gain (with - without, less the mean
difference of identical servers) and whether it stands out of the noise (the identical runs' spread).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.without import VARIANTS  # noqa: E402


def run(without: str, args) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = [sys.executable, str(ROOT / "bench/complaint_create.py"), "--seconds", str(args.seconds), "--clients", str(args.clients)]
        cmd += ["--rounds", str(args.rounds)]
        done = subprocess.run([*cmd, "--plain", without or "none", "--json", out.name], cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"bench: run without {without or 'nothing'} failed:\n{done.stdout}\n{done.stderr}")
        figures = json.loads(Path(out.name).read_text())
    api, plain, bare = figures["api"]["rps"], figures["plain"]["rps"], figures["bare"]["rps"]
    print(
        f"  without {without or 'nothing':15} ratio {figures['ratio']:.3f} plain {figures['plain']['ratio']:.3f}"
        f"  api {api:6.1f}/s plain {plain:6.1f}/s bare {bare:6.1f}/s",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per side of each run (default 10)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=6, help="alternating rounds of each run (default 6)")
    parser.add_argument("--baselines", type=int, default=3, help="runs with two identical servers, for the noise (default 3)")
    parser.add_argument("--only", default="", help="comma-separated variants (default: all of bench/without.py)")
    parser.add_argument("--json", help="also write every run's figures to this file")
    args = parser.parse_args()

    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(VARIANTS)
    for name in names:
        if name not in VARIANTS:
            sys.exit(f"bench: unknown variant {name!r}: {', '.join(VARIANTS)}")
    # Identical-server runs first, between and last, so a change of the machine's load shows in them too.
    groups = max(1, args.baselines - 1)
    chunk = -(-len(names) // groups)
    plan = [""]
    for i in range(groups):
        plan += names[i * chunk : (i + 1) * chunk]
        if args.baselines > 1:
            plan.append("")
    print(f"{len(plan)} runs, {args.seconds:.0f} s per side (bare, API, plain API), {args.clients} clients", flush=True)
    results: dict[str, list[dict]] = {}
    for without in plan:
        results.setdefault(without, []).append(run(without, args))

    every = [r["ratio"] for runs in results.values() for r in runs]
    # Two identical servers still differ a little, by chance and by whatever favours one port or order:
    # the gains are counted from their mean difference, and the noise is the identical runs' spread around it.
    same = [r["ratio"] - r["plain"]["ratio"] for r in results[""]]
    bias = statistics.mean(same)
    noise = max(abs(d - bias) for d in same) if len(same) > 1 else abs(bias)
    print()
    print(
        f"ratio api/bare with every fast path: mean {statistics.mean(every):.3f} over {len(every)} runs"
        f" (min {min(every):.3f}, max {max(every):.3f})"
    )
    print(f"noise: two identical servers differed by {', '.join(f'{d:+.3f}' for d in same)}: mean {bias:+.3f}, ±{noise:.3f}")
    print(f"{'without':16} {'with':>6} {'without':>8} {'gain':>7}  verdict")
    rows = []
    for name in names:
        run_ = results[name][0]
        gain = run_["ratio"] - run_["plain"]["ratio"] - bias
        verdict = "above the noise" if gain > noise else "inside the noise"
        row = {"variant": name, "with": run_["ratio"], "without": run_["plain"]["ratio"], "gain": round(gain, 3), "verdict": verdict}
        rows.append(row)
        print(f"{name:16} {run_['ratio']:6.3f} {run_['plain']['ratio']:8.3f} {gain:+7.3f}  {verdict}")
    if args.json:
        report = {"noise": noise, "bias": bias, "identical": same, "rows": rows, "runs": results}
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
