"""Benchmark of the embedded reference: throughput under concurrency, and memory held before
and after expired sessions are evicted.

Run it by hand: ``python tests/benchmarks/bench_reference.py``. It prints ratios measured
within one run on one machine, because absolute timings on shared machines are noise; it
asserts nothing. pytest does not collect it (the file name does not start with ``test_``).
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import httpx

from conformance.reference.config import ReferenceConfig
from conformance.reference.server import ReferenceServer

EXCHANGES = 400
THREADS = 8


def _exchange(http: httpx.Client, server: ReferenceServer) -> None:
    config = server.config
    site_action = f"{server.base_url}/store/{config.site_id}/SessionToken"
    session_token = http.get(site_action, params={"format": "json"}).json()["session_token"]
    answer = http.post(f"{server.base_url}/oauth20/token",
                       data={"grant_type": "password", "dr_session_token": session_token},
                       auth=(config.client_id, config.client_secret))
    answer.raise_for_status()


def _flows_per_second(server: ReferenceServer, threads: int) -> float:
    per_thread = EXCHANGES // threads

    def work() -> None:
        with httpx.Client() as http:
            for _ in range(per_thread):
                _exchange(http, server)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(work) for _ in range(threads)]:
            future.result()
    return per_thread * threads / (time.perf_counter() - started)


def _held_bytes() -> int:
    gc.collect()
    current, _ = tracemalloc.get_traced_memory()
    return current


def main() -> None:
    with ReferenceServer(ReferenceConfig(session_ttl=600)) as server:
        serial = _flows_per_second(server, 1)
        concurrent = _flows_per_second(server, THREADS)
        print(f"two-call flows per second: {serial:.0f} serial, {concurrent:.0f} with "
              f"{THREADS} threads; ratio {concurrent / serial:.2f}")

        tracemalloc.start()
        baseline = _held_bytes()
        with httpx.Client() as http:
            for _ in range(EXCHANGES):
                _exchange(http, server)
        full = _held_bytes() - baseline
        server.clock.advance(601)
        server.state.sweep()
        swept = _held_bytes() - baseline
        tracemalloc.stop()
        print(f"memory held by {EXCHANGES} live flows: {full / 1024:.0f} KiB; after expiry and "
              f"eviction: {swept / 1024:.0f} KiB; ratio {swept / max(full, 1):.2f}")


if __name__ == "__main__":
    main()
