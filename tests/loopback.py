"""Helpers for tests that run real servers on loopback: a free port, a clean stop."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(process: subprocess.Popen[bytes], *, timeout: float = 10) -> None:
    """Stop ``process`` by its id: terminate, then kill if it is still there after ``timeout``."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def wait_until_up(process: subprocess.Popen[bytes], base: str, log: Path, *,
                  seconds: float = 60, poll: float = 0.1) -> None:
    """Wait until the fazhi-graph server at ``base`` answers ``/-/status`` with 200; fail
    with its log if it exits first, or after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{base}/-/status", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"the server did not come up in {seconds:g} s"
        time.sleep(poll)
