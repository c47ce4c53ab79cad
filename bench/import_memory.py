"""Benchmark: the registry's memory and rate during one streamed import job (issues: bulk at city scale; speed in
production's shape — every service ≤ 200 MB RSS during a 1,000,000-row import).

Starts the registry alone in its own uvicorn process (SQLite file, or `--postgres` on 127.0.0.1:5432) with its relay
publishing to an embedded NATS server, writes N organisations to one CSV file, uploads it in one streamed request to
`POST /v1/exchange/import-jobs` and follows the job to its end, sampling the process's RSS (`/proc`, VmRSS and VmHWM)
every second (and timing each progress request), then for `--after S` seconds more while the relay publishes the
import's events.
Reports: the idle process's RSS measured in the same run (the baseline), the peak during the job and after it, the
progress requests' p50 / p99 / max while it ran, and
the job's rows/s.

`--ceiling` (SQLite): afterwards the rows the job wrote (organisations, their history, name claims, the name index,
the outbox) are read back and written again into a fresh database of the same schema and settings with the stdlib
sqlite3 executemany, 1,000 rows a statement, one transaction: the storage's own rate for this import, with no
Python per row beyond the driver's binding. The job's rate is printed against it (a ratio; 1.0 would be the
storage's limit).

Usage: python bench/import_memory.py [N] [--postgres] [--after S] [--ceiling]
       (default N = 300,000; 1,000,000 for a province)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bulk_propagation import import_file, write_csv  # noqa: E402
from gateway_profile import memory_mb, remove_data  # noqa: E402
from registry_lookup import serve  # noqa: E402

CEILING_TABLES = ("organisation", "organisation_history", "name_claim", "name_fts", "outbox")


def ceiling(source: Path, target_url: str, cache_mib: int = 16) -> tuple[float, int]:
    """Seconds to write the import's rows again into a fresh migrated database (`target_url`) through the stdlib
    sqlite3 executemany, 1,000 rows a statement, one transaction, the service's pragmas; and the organisations."""
    import sqlite3

    from yishe_kit.testing import migrate

    migrate(ROOT / "services" / "registry", target_url)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target_url.split("///", 1)[1], isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", f"cache_size={-1024 * cache_mib}"):
        dst.execute(f"PRAGMA {pragma}")
    seconds, orgs = 0.0, 0
    dst.execute("BEGIN")
    for table in CEILING_TABLES:
        cur = src.execute(f"SELECT grams, uscc FROM {table}" if table == "name_fts" else f"SELECT * FROM {table}")
        width = len(cur.description)
        sql = (f"INSERT INTO {table} (grams, uscc) VALUES (?, ?)" if table == "name_fts"
               else f"INSERT INTO {table} VALUES ({', '.join('?' * width)})")
        while rows := cur.fetchmany(1000):
            started = time.perf_counter()
            dst.executemany(sql, rows)
            seconds += time.perf_counter() - started
            orgs += len(rows) if table == "organisation" else 0
    started = time.perf_counter()
    dst.execute("COMMIT")
    seconds += time.perf_counter() - started
    src.close()
    dst.close()
    return seconds, orgs


def main(n: int, postgres: bool, after: float, with_ceiling: bool = False) -> None:
    from yishe_kit.assertion import HEADER, Minter, write_pem_pair
    from yishe_kit.testing import NatsServer, create_pg_database, free_port, migrate

    data = Path(tempfile.mkdtemp(prefix="yishe-bench-import-"))
    url = create_pg_database("yishe_bench_import") if postgres else f"sqlite+aiosqlite:///{data / 'registry.db'}"
    migrate(ROOT / "services" / "registry", url)
    csv_file = data / "organisations.csv"
    write_csv(csv_file, n)
    nats = NatsServer(data / "nats", port=free_port()).start()
    private, public = write_pem_pair(data / "keys")  # the registry accepts only calls vouched for by this key
    env = {"REGISTRY_DB__URL": url, "NATS_URL": nats.url, "REGISTRY_LOG_LEVEL": "WARNING",
           "REGISTRY_ASSERTION__PUBLIC_KEY_FILE": str(public), "REGISTRY_UPLOAD_DIR": str(data)}
    staff = {HEADER: Minter(private.read_text()).mint("registry", role="staff", actor="bench", ttl_seconds=86400)}
    port = free_port()
    proc = serve(["--factory", "yishe_registry.main:create_app"], env, port, log=data / "registry.log")

    def rss() -> tuple[float, float]:
        return memory_mb({"registry": proc.pid})["registry"]

    try:
        time.sleep(2)  # the app has started its relay and consumers
        idle, _ = rss()
        samples: list[tuple[str, int, float]] = []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600, headers=staff) as client:
            job, _ = import_file(client, "/v1", csv_file, every=1,
                                 on_poll=lambda j: samples.append((j["state"], j.get("done") or 0, rss()[0])))
        elapsed = (datetime.fromisoformat(job["finished_at"]) - datetime.fromisoformat(job["created_at"])
                   ).total_seconds()
        _, during = rss()
        time.sleep(after)
        _, peak = rss()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        nats.stop()
    backend = "PostgreSQL" if postgres else "SQLite (embedded default)"
    print(f"one streamed import job of {n:,} organisations ({csv_file.stat().st_size / 2**20:,.0f} MiB CSV) into the "
          f"registry alone, {backend}, relay publishing to NATS, {os.cpu_count()} cores:")
    print(f"  rate: {n / elapsed:,.0f} rows/s ({elapsed:,.1f} s from the job's creation, once the upload was spooled, "
          f"to its end)")
    print(f"  RSS: idle {idle:,.0f} MB (baseline, same process before the upload); peak during the job {during:,.0f} MB"
          f" ({during / idle:.2f}× idle); peak with the {after:,.0f} s after it (the relay) {peak:,.0f} MB; "
          f"target ≤ 200 MB")
    print("  RSS every second (rows done, MB; 8 of them): " + ", ".join(
        f"{done:,} {mb:,.0f}" for _, done, mb in samples[:: max(1, len(samples) // 8)]))
    if with_ceiling and not postgres:
        seconds, orgs = ceiling(data / "registry.db", f"sqlite+aiosqlite:///{data / 'ceiling.db'}")
        print(f"  storage ceiling (baseline, same run): the job's rows written again with sqlite3's executemany, no "
              f"per-row Python: {orgs / seconds:,.0f} organisations/s ({seconds:,.1f} s); the job reached "
              f"{n / elapsed / (orgs / seconds):.2f}× of it")
    remove_data(data)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=300_000, help="organisations (default 300,000)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL on 127.0.0.1:5432 instead of SQLite")
    parser.add_argument("--after", type=float, default=30.0, help="seconds to keep sampling after the job (the relay)")
    parser.add_argument("--ceiling", action="store_true", help="SQLite: the storage's own rate for the same rows")
    args = parser.parse_args()
    main(args.n, args.postgres, args.after, args.ceiling)
