"""The README's library example runs as written (docs that cannot drift)."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_library_example_runs(capsys: object) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "extract_file" in b]
    assert blocks, "README lost its library example"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        namespace: dict[str, object] = {}
        exec(compile(blocks[0], "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert len(namespace["graph"]) > 1000  # type: ignore[arg-type]
