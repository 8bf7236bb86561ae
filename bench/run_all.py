"""Run every benchmark in turn, each in its own process, and print its figures.

Run from the repository root:  .venv/bin/python bench/run_all.py [NAME ...]
(`make bench` calls this.) With names (for example `masks exports`) only those run.

Each benchmark sets up what it needs itself and compares against a reference run in the same
process; docs/benchmarks.md records the figures of one run and what they mean.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Cheapest first, so a broken set-up shows early; the viewer needs Chromium and a live server.
ORDER = ("masks", "export_writers", "exports", "convert", "deid", "ingest", "viewer")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"one of: {', '.join(ORDER)}")
    args = parser.parse_args()
    unknown = sorted(set(args.names) - set(ORDER))
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(ORDER)}")
    names = args.names or list(ORDER)
    failed = []
    for name in names:
        script = HERE / f"bench_{name}.py"
        print(f"\n=== {script.name} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"--- {script.name}: exit {code}, {time.perf_counter() - started:.0f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
