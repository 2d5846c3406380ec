"""A short load test on a real server: 20 clients for 8 s plus a query that must time out.

The long variant is ``bench/load.py`` (50 clients, 60 s, results in ``bench/load.md``); both
use the load generator of ``bench/loadgen.py``. Latencies are reported there, never asserted.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator

import pytest

from ..conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from loadgen import (
    CARTESIAN,
    FAZHI,
    RssSampler,
    ServeProcess,
    query_mix,
    run_load,
)

pytestmark = pytest.mark.slow

CLIENTS = 20
SECONDS = 8.0
SERVER_TIMEOUT_S = 4.0
"""Short enough for the time-out client to be stopped twice in the run, long enough that the
mix's own queries (tens of milliseconds each, queued behind 20 clients) never reach it."""
RSS_GROWTH_BOUND_MB = 150.0
"""Memory of the server's process tree may grow by less than this from the end of the warm-up
to the end of the run (a fresh query worker plus its disk fallback is about 60 MB)."""
WARMUP_S = 3.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    work = tmp_path_factory.mktemp("load")
    store = work / "store"
    subprocess.run([str(FAZHI), "build", "--store", str(store)], check=True,
                   capture_output=True)
    with ServeProcess(store, SERVER_TIMEOUT_S, work / "server.log") as process:
        yield process


def test_load_with_a_runaway_client_fails_nothing_and_memory_stays_flat(
    server: ServeProcess,
) -> None:
    with RssSampler(server.pid) as sampler:
        result = asyncio.run(run_load(
            server.endpoint, query_mix(), clients=CLIENTS, seconds=SECONDS, slow_query=CARTESIAN
        ))
    figures = result.as_dict()
    assert result.requests > CLIENTS, figures
    assert result.failed == 0, figures  # not one request of the mix failed
    assert result.timeout_sent >= 1 and result.timeout_503 == result.timeout_sent, figures
    assert len(result.per_query) == len(query_mix()), figures  # every saved query ran
    rss = sampler.summary(WARMUP_S)
    assert rss["growth"] < RSS_GROWTH_BOUND_MB, (rss, sampler.samples)
    assert server.process is not None and server.process.poll() is None


def test_server_answers_normally_after_the_load(server: ServeProcess) -> None:
    result = asyncio.run(run_load(
        server.endpoint, query_mix(), clients=2, seconds=1.0, slow_query=None
    ))
    assert result.failed == 0 and result.ok >= 2, result.as_dict()


def test_tree_memory_is_measured(server: ServeProcess) -> None:
    """The sampler sees the server and its query workers, not just the parent process."""
    from loadgen import descendants, tree_rss_mb

    pids = descendants(server.pid)
    assert {w["pid"] for w in server.workers()} <= set(pids)
    assert tree_rss_mb(server.pid) > 0
    assert tree_rss_mb(2**22 + 12345) == 0

