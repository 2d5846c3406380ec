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


@pytest.mark.parametrize(
    ("title", "issuer", "area", "year"),
    [
        ("关于2021年度法治政府建设情况的报告\n\n东湖区人民政府", "东湖区人民政府", "东湖区", 2021),
        ("沙河市人民政府关于2022年法治政府建设工作情况的报告", "沙河市人民政府", "沙河市", 2022),
        (
            "中共清水县委 清水县人民政府关于2021年度法治政府建设情况的报告",
            "清水县人民政府",
            "清水县",
            2021,
        ),
        ("江岸区2021年法治政府建设年度报告", "江岸区人民政府", "江岸区", 2021),
        ("广州市天河区人民政府2021年法治政府建设年度报告", "广州市天河区人民政府", "天河区", 2021),
        (
            "石桥自治县人民政府2020年度法治政府建设工作报告",
            "石桥自治县人民政府",
            "石桥自治县",
            2020,
        ),
        ("二〇二一年度西城区法治政府建设情况报告", "西城区人民政府", "西城区", 2021),
        ("云川市司法局关于2022年度法治政府建设情况的报告", "云川市司法局", "云川市", 2022),
        ("通州區人民政府2021年法治政府建設情況", "通州区人民政府", "通州区", 2021),
    ],
)
def test_title_variants(title: str, issuer: str, area: str, year: int) -> None:
    meta = guess_meta(title)
    assert (meta["issuer"], meta["area"], meta["year"]) == (issuer, area, year)


def test_catalogue_id_beats_the_derived_one(seed_text: str) -> None:
    from fazhi_graph.report import meta_for

    assert meta_for(seed_text, "a.txt", {}).report_id == "chengdongqu-2020"
    assert meta_for(seed_text, "a.txt", {"id": "xining-chengdongqu-2020"}).report_id == (
        "xining-chengdongqu-2020"
    )
