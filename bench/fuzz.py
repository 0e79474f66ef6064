"""`make fuzz`: schemathesis against the running production stack, as every demo role, every operation.

    DATABASE_URL=postgres://…/linli_x REDIS_URL=redis://…/N .venv/bin/python bench/fuzz.py [--examples 20] [--roles district,…]

1. Clones a scratch database from the seeded template (seed_demo) and starts gunicorn with
   config.settings_production on a free port (throttles raised: a fuzzer is not an attacker).
2. For each demo role, takes a JWT from the real token endpoint and runs
   `schemathesis run <url>/api/schema/ --checks not_a_server_error,response_schema_conformance`
   over every operation (examples and fuzzing phases, positive and negative data; FUZZ_PHASES adds
   the coverage phase's boundary values, about ten times longer).
3. Prints each run's summary and a table; exits non-zero if any run found a failure.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from prodstack import BIN, ROOT, WORK, Stack, log, tokens

ROLES = [
    "district",
    "town_houlong",
    "community_fulian",
    "staff_yifang",
    "staff_yijiayuan",
    "resident_fulian",
    "committee_fulian",
    "mediator_shanyao",
    "admin",
]
PASSWORD = "linli-demo-2026"
CHECKS = "not_a_server_error,response_schema_conformance"


def run_role(stack: Stack, role: str, token: str, examples: int, seed: int, phases: str) -> dict:
    report_dir = WORK / "fuzz" / role
    report_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(BIN / "schemathesis"),
        "run",
        f"{stack.url}/api/schema/?format=json",
        "--checks",
        CHECKS,
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--workers",
        "2",
        "--phases",
        phases,
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
    ]
    started = time.time()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    output = done.stdout + done.stderr
    (report_dir / "output.txt").write_text(output)
    summary = _summary(output)
    summary.update(role=role, exit=done.returncode, seconds=round(time.time() - started))
    return summary, output


def _summary(output: str) -> dict:
    """Pull the figures out of schemathesis' closing summary."""
    figures = {}
    for key, pattern in {
        "operations": r"Tested: (\d+)",
        "cases": r"Test cases:\s+(\d+) generated",
        "failures_cases": r"(\d+) found (\d+) unique failures",
    }.items():
        match = re.search(pattern, output)
        if match:
            figures[key] = match.group(1) if key != "failures_cases" else f"{match.group(2)} unique in {match.group(1)} cases"
    figures["server_errors"] = len(re.findall(r"Server error", output))
    figures["schema_violations"] = len(re.findall(r"Response violates schema", output))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", "5")), help="max examples per operation")
    parser.add_argument(
        "--phases",
        default=os.environ.get("FUZZ_PHASES", "examples,fuzzing"),
        help="schemathesis phases; add coverage for boundary values (about 10x longer)",
    )
    parser.add_argument("--roles", default=os.environ.get("FUZZ_ROLES", ",".join(ROLES)))
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args()
    roles = [r for r in args.roles.split(",") if r]

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linli")
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    stack = Stack(
        name="fuzz",
        base_url=base,
        redis_url=redis,
        web_workers=2,
        extra_env={"THROTTLE_ANON": "1000000/min", "THROTTLE_USER": "1000000/min", "SECURE_SSL_REDIRECT": "0"},
    )
    results = []
    failed = False
    alive = {}
    try:
        for role in roles:
            # Each role on a fresh clone and a fresh server: fuzzing as an official deactivates
            # accounts and rewrites data, which must not decide what the next role can do.
            stack.prepare_database()
            stack.collectstatic()
            with stack:
                stack.start(celery=False)
                log(f"gunicorn (production settings) at {stack.url}; fuzzing as {role}: {args.phases}, {args.examples} examples")
                token = tokens(stack.url, [role], PASSWORD)[role]
                summary, output = run_role(stack, role, token, args.examples, args.seed, args.phases)
                alive[role] = stack.alive().get("web")
            results.append(summary)
            print(f"\n===== schemathesis as {role} =====")
            print("\n".join(output.strip().splitlines()[-25:]))
            failed |= summary["exit"] != 0
    finally:
        stack.drop_database()
        subprocess.run([str(BIN / "celery"), "-A", "config", "purge", "-f"], cwd=ROOT, env=stack.env(), capture_output=True)

    print("\n===== make fuzz: summary =====")
    print(f"{'role':18} {'operations':>10} {'cases':>8} {'5xx':>5} {'schema':>7} {'exit':>5} {'s':>5}")
    for r in results:
        print(
            f"{r['role']:18} {r.get('operations', '?'):>10} {r.get('cases', '?'):>8} {r['server_errors']:>5} "
            f"{r['schema_violations']:>7} {r['exit']:>5} {r['seconds']:>5}"
        )
    print(f"gunicorn still running at the end of every role's run: {all(alive.values())}")
    print("result:", "FAILURES (see var/bench/fuzz/<role>/output.txt)" if failed else "no server errors, no schema violations")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
