"""bench/gateway_profile.py's options (issue 17) and its loader, bench/profile_seed.py: N organisations written
through the bulk path reach every service and the gateway's change feed, each exactly once (counts, no timing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from yishe_kit.testing import migrate

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("registry", "credit", "procurement", "party", "cultivation")


def test_options_bound_the_cache_below_n_and_the_cold_set_above_the_cache(bench_module) -> None:
    bench = bench_module("gateway_profile")
    opts = bench.parse_args(["--organisations", "20000", "--cache-entries", "1000"])
    assert (opts.organisations, opts.cache_entries, opts.backends) == (20000, 1000, ("sqlite", "postgres"))
    assert opts.cache_entries < opts.cold_set <= opts.organisations and opts.held_set <= opts.cache_entries // 2
    assert bench.parse_args(["500", "3", "--postgres"]).backends == ("postgres",)
    default = bench.parse_args(["--organisations", "1000000"])
    assert default.cache_entries == 100_000 and default.cold_set == 200_000
    with pytest.raises(SystemExit):
        bench.parse_args(["--organisations", "100", "--cache-entries", "100"])  # the cold lookups would be held
    held, cold = bench.pick([f"u{i}" for i in range(5000)], opts)
    assert len(held) == opts.held_set and len(cold) == opts.cold_set and not set(held) & set(cold)


def test_reused_data_is_for_one_backend_and_the_cold_phases_reads_are_its_own(bench_module) -> None:
    bench = bench_module("gateway_profile")
    assert bench.parse_args(["1000", "--backend", "postgres", "--data", "/tmp/x"]).data == "/tmp/x"
    assert not bench.parse_args(["1000", "--backend", "sqlite", "--data", "/tmp/x"]).keep_fragments
    assert bench.parse_args(["1000", "--backend", "sqlite", "--data", "/tmp/x", "--keep-fragments"]).keep_fragments
    with pytest.raises(SystemExit):
        bench.parse_args(["1000", "--data", "/tmp/x"])  # both backends: which one the directory holds is unclear
    before = {"fanout": {"credit": {"requests": 10, "codes": 12}}}
    after = {"fanout": {"credit": {"requests": 30, "codes": 412}, "party": {"requests": 4, "codes": 8}}}
    assert bench.gathered(before, after) == {"credit": "20 reads, 20.0 codes each", "party": "4 reads, 2.0 codes each"}


def test_a_small_run_fits_its_sets_in_the_organisations_it_loaded(bench_module) -> None:
    bench = bench_module("gateway_profile")
    opts = bench.parse_args(["--organisations", "1000"])
    held, cold = bench.pick([f"u{i}" for i in range(1000)], opts)
    assert len(held) + len(cold) <= 1000 and len(cold) > opts.cache_entries


# wrk 4.1.0's own output (Debian's package, here), once clean and once with failed requests
WRK_CLEAN = """Running 1s test @ http://127.0.0.1:18020/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.32ms    1.51ms  39.94ms   96.95%
    Req/Sec    22.46k     0.87k   23.59k    40.00%
  Latency Distribution
     50%    2.14ms
     75%    2.36ms
     90%    2.69ms
     99%    5.02ms
  22256 requests in 1.00s, 66.54MB read
Requests/sec:  22229.35
Transfer/sec:     66.46MB
"""
WRK_FAILING = WRK_CLEAN.replace("     99%    5.02ms", "     99%    1.20s").replace(
    "  22256 requests in 1.00s, 66.54MB read", "  22256 requests in 1.00m, 66.54MB read\n"
    "  Socket errors: connect 0, read 3, write 0, timeout 2\n  Non-2xx or 3xx responses: 251")


def test_wrk_output_is_read_as_requests_answered_seconds_percentiles_and_errors(bench_module) -> None:
    bench = bench_module("gateway_profile")
    assert bench.parse_wrk(WRK_CLEAN) == (22256, 1.0, {50: 2.14, 99: 5.02}, 0)
    assert bench.parse_wrk(WRK_FAILING) == (22256 - 256, 60.0, {50: 2.14, 99: 1200.0}, 256)


async def test_the_loader_writes_every_organisation_once_into_every_service(tmp_path: Path, bench_module) -> None:
    seed = bench_module("profile_seed")
    n = 30
    urls = {svc: f"sqlite+aiosqlite:///{tmp_path / svc}.db" for svc in (*SERVICES, "gateway")}
    for svc, url in urls.items():
        migrate(ROOT / ("gateway" if svc == "gateway" else f"services/{svc}"), url)
    counts = await seed.seed(n, urls, log=lambda _: None)
    assert counts["registry created"] == n
    for consumer in ("party", "credit", "procurement", "cultivation", "gateway"):
        # the import's chunks are bulk events (issue 11), each item taken as its own registration
        assert counts[f"{consumer} ← registry.organisations.imported.v1"] == n
    usccs = set(seed.usccs(n))
    assert len(usccs) == n

    def rows(svc: str, sql: str) -> list:
        engine = create_engine(urls[svc].replace("+aiosqlite", ""))
        with engine.connect() as conn:
            found = list(conn.execute(text(sql)))
        engine.dispose()
        return found

    assert {r[0] for r in rows("registry", "SELECT uscc FROM organisation")} == usccs
    assert {r[0] for r in rows("credit", "SELECT uscc FROM credit_profile")} == usccs
    for svc in SERVICES:  # every event taken: nothing left for a relay to publish again
        assert rows(svc, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == [(0,)]
    subject = "registry.organisation.registered.v1"
    assert rows("gateway", f"SELECT count(*) FROM feed_entry WHERE subject = '{subject}'") == [(n,)]
    assert rows("party", "SELECT count(*) FROM inbox") == rows("party", "SELECT count(DISTINCT event_id) FROM inbox")
