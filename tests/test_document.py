from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi_graph.document import load_document, normalise
from fazhi_graph.numerals import chinese_to_int


def test_seed_structure(seed_text: str) -> None:
    doc = load_document(seed_text)
    top = [s for s in doc.sections if s.level == 1]
    # the seed repeats 二、: both are kept, as separate sections with their own paths
    assert [s.number for s in top] == ["一", "二", "二", "三"]
    assert [s.title for s in top][2:] == ["存在的问题", "下一步工作思路"]
    assert len([s for s in doc.sections if s.path[0] == 2 and s.level == 2]) == 7
    assert doc.title == "城东区人民政府2020年法治政府建设工作情况"


def test_items_tolerate_missing_shi(seed_text: str) -> None:
    doc = load_document(seed_text)
    problems = doc.sections[[s.title for s in doc.sections].index("存在的问题")]
    items = [it for it in doc.items if it.span in problems.span]
    assert [it.ordinal for it in items] == [1, 2, 3]
    assert seed_text[items[1].marker.start : items[1].marker.end] == "二"


def test_split_after_percentage_run_on(seed_text: str) -> None:
    doc = load_document(seed_text)
    quotes = [s.text for s in doc.sentences]
    assert any(q.endswith("出庭率72.7%") for q in quotes)
    assert any(q.startswith("二是加强人民调解工作") for q in quotes)
    assert any(q.startswith("64项事项实现最多跑一次") for q in quotes)


def test_sentence_offsets_are_exact(seed_text: str) -> None:
    doc = load_document(seed_text)
    for s in doc.sentences:
        assert seed_text[s.span.start : s.span.end] == s.text
        assert s.text.strip() == s.text


def test_normalise_keeps_length() -> None:
    text = "（一）出庭率７２．７％，　好"
    assert len(normalise(text)) == len(text)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("一二三、（）()。；;1.是%\n法治政府建设区 ")), max_size=200
    )
)
def test_any_text_gives_consistent_offsets(text: str) -> None:
    doc = load_document(text)
    for s in doc.sentences:
        assert text[s.span.start : s.span.end] == s.text
    for sec in doc.sections:
        assert 0 <= sec.span.start <= sec.span.end <= len(text)


def test_chinese_numerals() -> None:
    assert chinese_to_int("十二") == 12
    assert chinese_to_int("三百") == 300
    assert chinese_to_int("二十三") == 23
    assert chinese_to_int("一千零五") == 1005
    assert chinese_to_int("千") == 1000
    assert chinese_to_int("abc") is None
