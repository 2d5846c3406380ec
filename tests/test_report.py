from pathlib import Path

import pytest

from fazhi_graph.errors import OffGenreError, ReportFileError
from fazhi_graph.report import guess_meta, read_report, report_id


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReportFileError, match="not found"):
        read_report(tmp_path / "nope.txt")


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.txt"
    p.write_text("  \n")
    with pytest.raises(ReportFileError, match="empty"):
        read_report(p)


def test_not_utf8(tmp_path: Path) -> None:
    p = tmp_path / "gbk.txt"
    p.write_bytes("某区2020年法治政府建设情况".encode("gb18030") * 20)
    with pytest.raises(ReportFileError, match="not UTF-8") as info:
        read_report(p)
    assert "gbk.txt" in str(info.value)


def test_off_genre(tmp_path: Path) -> None:
    p = tmp_path / "recipe.txt"
    p.write_text("红烧肉的做法\n" + "把肉切块，加糖炒色，再炖一个小时。" * 20, encoding="utf-8")
    with pytest.raises(OffGenreError, match="法治政府"):
        read_report(p)


def test_meta_from_title(seed_text: str) -> None:
    meta = guess_meta(seed_text)
    assert meta == {"area": "城东区", "issuer": "城东区人民政府", "level": "district", "year": 2020}
    assert report_id("城东区", 2020, "城东区人民政府") == "chengdongqu-2020"
    assert report_id("云川市", 2022, "云川市司法局") == "yunchuanshi-sifaju-2022"
