"""Real SPARQL servers for the remote-store tests: ``oxigraph serve`` and Virtuoso.

Each server binds to 127.0.0.1 on free ports, keeps its data in a directory it is given (a
pytest temporary directory), and is stopped by its own process id. A server that cannot be
started raises :class:`ServerUnavailableError` with the exact reason, which the fixtures turn into
a skip.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.loopback import free_port, stop

VIRTUOSO_VSP = Path("/var/lib/virtuoso-opensource-7/vsp")
VIRTUOSO_VAD = Path("/usr/share/virtuoso-opensource-7/vad")
VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "dba"  # a fresh private database always starts with dba/dba


class ServerUnavailableError(RuntimeError):
    """The server's program is missing or it did not come up."""


@dataclass
class Server:
    """A running server: where to reach it and the process to stop."""

    name: str
    process: subprocess.Popen[bytes]
    query: str
    update: str
    graph_store: str | None
    user: str | None = None
    password: str | None = None
    auth: str = "basic"
    atomic_put: bool = False
    """Whether a Graph Store PUT replaces a graph in one transaction."""

    def stop(self) -> None:
        """Stop the process by its id (terminate, then kill after 10 s)."""
        stop(self.process)


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise ServerUnavailableError(f"the server exited ({process.returncode}): {tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    process.kill()
    process.wait(timeout=10)
    raise ServerUnavailableError(f"the server did not answer {url} within {seconds:.0f} s")


def start_oxigraph(directory: Path) -> Server:
    """``oxigraph serve`` (read-write) with its store in ``directory``."""
    binary = Path(sys.executable).with_name("oxigraph")
    if not binary.exists():
        found = shutil.which("oxigraph")
        if found is None:
            raise ServerUnavailableError(
                "the `oxigraph` program is not installed (pip install oxigraph, the test extra)"
            )
        binary = Path(found)
    port = free_port()
    log = directory / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(binary),
                "serve",
                "--location",
                str(directory / "db"),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    _wait_for(f"{base}/query?query=ASK%7B%7D", process, log, 30)
    return Server(
        "oxigraph", process, f"{base}/query", f"{base}/update", f"{base}/store", atomic_put=True
    )


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = ., {vad}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
VADInstallDir = {vad}/
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxQueryMem = 256M
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
MaxClientConnections = 10
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
; Debian's defaults (10,000 rows, 60 s) return partial results without an error: lift them
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
"""


def start_virtuoso(directory: Path, *, max_rows: int = 1_000_000) -> Server:
    """A private Virtuoso Open Source instance with its database in ``directory``."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise ServerUnavailableError(
            "Virtuoso is not installed (Debian package virtuoso-opensource; .ci/run installs it)"
        )
    sql_port, http_port = free_port(), free_port()
    directory.mkdir(parents=True, exist_ok=True)
    ini = directory / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(
            dir=directory,
            sql_port=sql_port,
            http_port=http_port,
            vad=VIRTUOSO_VAD,
            vsp=VIRTUOSO_VSP,
            max_rows=max_rows,
        )
    )
    log = directory / "stdout.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=directory,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{http_port}"
    _wait_for(f"{base}/sparql?query=ASK%7B%7D", process, log, 60)
    return Server(
        "virtuoso",
        process,
        f"{base}/sparql",
        f"{base}/sparql-auth",
        f"{base}/sparql-graph-crud-auth",
        user=VIRTUOSO_USER,
        password=VIRTUOSO_PASSWORD,
        auth="digest",
    )
