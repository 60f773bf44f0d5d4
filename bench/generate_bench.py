"""Company generation benchmark: time and peak memory per size, plus save/load.

    python bench/generate_bench.py                 # tiny, small, medium
    python bench/generate_bench.py --large         # ... and large (minutes, ~1.4 GB)
    python bench/generate_bench.py --sizes small --no-file
    python bench/generate_bench.py --files         # save/load for every size (default: up to small)

Each size runs in a fresh subprocess so that its peak resident memory (ru_maxrss) is its
own. Measured on the shared 2-core CI box (seed 1, CPU seconds; wall was 2-4x under load):
medium 50,000 records in 7-10 s CPU, 159 MB; large 500,000 in 100 s CPU, 1.33 GB peak,
file 86 MB, save 57 s, load 70 s CPU and 1.43 GB peak in its own process. Figures printed: records, generation wall and CPU seconds, records per CPU second,
peak RSS after generation, and (unless --no-file) save and load seconds and file size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(size: str, seed: int, with_file: bool) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from qbd_emulator.company import storage
    from qbd_emulator.generate import generate

    wall, cpu = time.perf_counter(), time.process_time()
    company = generate(seed, size)
    figures: dict[str, object] = {
        "size": size,
        "records": sum(n for k, n in company.counts().items() if k != "sales_tax_items"),
        "gen_wall_s": round(time.perf_counter() - wall, 2),
        "gen_cpu_s": round(time.process_time() - cpu, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if with_file:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "company.qbdc"
            started, cpu = time.perf_counter(), time.process_time()
            storage.save(company, path)
            figures["save_s"] = round(time.perf_counter() - started, 2)
            figures["save_cpu_s"] = round(time.process_time() - cpu, 2)
            figures["file_mb"] = round(path.stat().st_size / 2**20, 1)
            del company
            started, cpu = time.perf_counter(), time.process_time()
            storage.load(path)
            figures["load_s"] = round(time.perf_counter() - started, 2)
            figures["load_cpu_s"] = round(time.process_time() - cpu, 2)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=["tiny", "small", "medium"])
    parser.add_argument("--large", action="store_true", help="also run the large size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-file", action="store_true", help="skip save/load")
    parser.add_argument("--files", action="store_true", help="save/load for medium and large too")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.seed, not args.no_file)))
        return 0
    sizes = [*args.sizes, *(["large"] if args.large else [])]
    print(f"generation benchmark, seed {args.seed}, {os.cpu_count()} CPUs")
    for size in sizes:
        command = [sys.executable, __file__, "--child", size, "--seed", str(args.seed)]
        if args.no_file or (size in ("medium", "large") and not args.files):
            command.append("--no-file")
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        rate = figures["records"] / max(figures["gen_cpu_s"], 0.01)
        print(
            "  " + "  ".join(f"{k}={v}" for k, v in figures.items()) + f"  rec_per_cpu_s={rate:.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
