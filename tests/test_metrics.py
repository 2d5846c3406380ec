"""The seed's traps, each as a test on the extracted observations."""

from decimal import Decimal
from typing import Any

import pytest

from fazhi_graph.facts import Observation


def obs(facts: Any, value: str, unit_text: str) -> list[Observation]:
    return [
        o
        for o in facts.observations
        if o.value == Decimal(value) and (o.unit_text or "%") == unit_text
    ]


def one(facts: Any, value: str, unit_text: str) -> Observation:
    found = obs(facts, value, unit_text)
    assert len(found) == 1, [o.surface for o in found]
    return found[0]


def test_about_sixty_metrics(seed_facts: Any) -> None:
    assert 55 <= len(seed_facts.observations) <= 70


def test_fact_stated_twice_is_one_observation(seed_facts: Any) -> None:
    o = one(seed_facts, "142", "件")
    assert len(o.sentences) == 2
    quotes = [seed_facts.doc.sentences[i].text for i in o.sentences]
    assert all("142件" in q for q in quotes)


def test_run_together_years_and_count(seed_facts: Any) -> None:
    o = one(seed_facts, "172", "件")
    assert o.period == (2019, 2020)
    assert not obs(seed_facts, "20192020172", "件")


def test_percentage_run_into_next_count(seed_facts: Any) -> None:
    change = one(seed_facts, "13", "%")
    assert change.stat_type == "ChangePctVsBase" and change.direction == "Increase"
    base = next(o for o in seed_facts.observations if o.key == change.comparison_of)
    assert base.value == 119
    assert one(seed_facts, "64", "项").stat_type == "Level"


def test_missing_full_stop_after_rate(seed_facts: Any) -> None:
    rate = one(seed_facts, "72.7", "%")
    assert rate.stat_type == "Rate"
    # the text states no denominator for the appearance rate: none is inferred
    assert rate.numerator == "" and rate.denominator == ""


def test_rate_with_stated_parts(seed_facts: Any) -> None:
    rate = one(seed_facts, "98.1", "%")
    by_key = {o.key: o for o in seed_facts.observations}
    assert by_key[rate.numerator].value == 367
    assert by_key[rate.denominator].value == 374


@pytest.mark.parametrize(
    ("value", "unit", "qualifier"),
    [("1000", "万元", "ApproachingFromBelow"), ("91", "场次", "MoreThan"), ("142", "件", "Exact")],
)
def test_hedges(seed_facts: Any, value: str, unit: str, qualifier: str) -> None:
    assert one(seed_facts, value, unit).qualifier == qualifier


def test_hedged_investment_covers_three_years(seed_facts: Any) -> None:
    o = one(seed_facts, "1000", "万元")
    assert o.unit == "CNY" and o.unit_mult == 4 and o.period == (2018, 2020)


def test_relative_values(seed_facts: Any) -> None:
    assert one(seed_facts, "36", "%").stat_type == "ChangePctVsBase"
    dec = one(seed_facts, "38.5", "%")
    assert dec.stat_type == "ChangePctVsBase" and dec.direction == "Decrease"


def test_bare_total_borrows_measure_word(seed_facts: Any) -> None:
    o = next(o for o in seed_facts.observations if o.value == 46755)
    assert o.measure_word == "户"


def test_not_values(seed_facts: Any) -> None:
    values = {o.value for o in seed_facts.observations}
    for bad in ("2020", "2016", "2019", "20192020172"):
        assert Decimal(bad) not in values
    surfaces = " ".join(o.surface for o in seed_facts.observations)
    assert "第二次" not in surfaces


def test_value_span_inside_its_first_sentence(seed_facts: Any) -> None:
    for o in seed_facts.observations:
        first = seed_facts.doc.sentences[o.sentences[0]]
        assert o.value_span in first.span


def test_indicator_heads_are_every_indicators_head_match(seed_text: str) -> None:
    """The one-pass matcher the indicator choice uses gives each concept's head_match."""
    import random

    from fazhi_graph.extract.lexicon import lexicon

    lex = lexicon()
    rng = random.Random(5)
    labels = [label for c in lex.indicators for label in c.labels]
    texts = [seed_text[i : i + rng.randint(0, 24)] for i in rng.sample(range(len(seed_text)), 400)]
    texts += ["", "率", *(rng.choice(labels) + rng.choice(labels) for _ in range(200))]
    hits = 0
    for text in texts:
        heads = lex.indicator_heads(text)
        assert heads == [c.head_match(text) for c in lex.indicators], text
        hits += sum(1 for h in heads if h[1])
    assert hits > 500
