"""Ambiguous 表二 rows decided by the same agency's neighbouring years (X-2, X-3)."""

from dagster_project.parsing.series import SeriesRow, decide


def row(report, year, item, readings, variant="2019", agency="某县人民政府"):
    return SeriesRow(report, agency, year, variant, item, readings, len(readings) > 1)


def test_x3_next_years_previous_count_decides_a_glued_row():
    glued = [(3, 9, 60181), (3, 960, 181), (39, 60, 181), (396, 0, 181)]  # 行政许可3960181
    rows = [
        row("2019", 2019, "administrative_licensing", glued),
        row("2020", 2020, "administrative_licensing", [(396, 4, 2278)]),
    ]
    [d] = decide(rows)
    assert (d.report, d.values, d.identity, d.neighbours) == ("2019", (396, 0, 181), "X-3", ("2020",))


def test_x2_in_force_chain_decides_both_directions():
    rows = [
        row("a", 2021, "normative_documents", [(69, 3, 665)], "2021"),
        row("b", 2022, "normative_documents", [(8, 855, 698), (88, 55, 698), (88, 5, 5698)], "2021"),
    ]
    assert [(d.report, d.values) for d in decide(rows)] == [("b", (88, 55, 698))]


def test_nothing_is_decided_when_several_readings_fit_or_none_does():
    two_fit = [
        row("x", 2019, "administrative_coercion", [(126, 0, 25), (1260, 2, 5)]),
        row("y", 2020, "administrative_coercion", [(126, 2, 629), (1262, 6, 29)]),
    ]
    assert decide(two_fit) == []
    broken = [
        row("x", 2019, "administrative_fees", [(3, 50), (35, 0)]),
        row("y", 2020, "administrative_fees", [(7, 1)]),
    ]  # the identity does not hold at all
    assert decide(broken) == []


def test_plausibility_settles_only_what_the_neighbours_leave_open():
    # X-3 with 2020 leaves two readings of 行政强制126025; the rules keep [126, 0, 25]
    rows = [
        row("x", 2019, "administrative_coercion", [(1, 260, 25), (126, 0, 25), (1260, 2, 5)]),
        row("y", 2020, "administrative_coercion", [(126, 2, 629), (1262, 6, 29)]),
    ]
    assert decide(rows) == []
    [d] = decide(rows, plausibility=True)
    assert (d.report, d.values, d.identity, d.neighbours) == ("x", (126, 0, 25), "plausibility", ("y",))
    assert d.code == "cells_chosen_by_plausibility" and (1, 260, 25) in d.others
    # an identity that leaves one reading wins over the rules, even against their preference
    x3 = [row("x", 2019, "administrative_fees", [(3, 50), (35, 0)]), row("y", 2020, "administrative_fees", [(53, 1)])]
    [d] = decide(x3, plausibility=True)
    assert (d.values, d.identity) == ((3, 50), "X-3")


def test_other_agencies_gaps_and_second_versions_do_not_link():
    glued = [(3, 50), (35, 0)]
    assert (
        decide(
            [
                row("x", 2019, "administrative_fees", glued),
                row("y", 2020, "administrative_fees", [(35, -15)], agency="另一机关"),
            ]
        )
        == []
    )
    assert (
        decide([row("x", 2018, "administrative_fees", glued), row("y", 2020, "administrative_fees", [(35, -15)])]) == []
    )
    assert (
        decide(
            [
                row("x", 2019, "administrative_fees", glued),
                row("y", 2020, "administrative_fees", [(35, -15)]),
                row("z", 2020, "administrative_fees", [(3, 1)]),
            ]
        )
        == []
    )


def test_decisions_cross_staging_batches(tmp_path):
    """A refresh decides over every staged part, whichever batch holds each year."""
    import polars as pl
    import pytest
    from conftest import SHARED

    from dagster_project.pipeline.batches import stage_batch
    from dagster_project.pipeline.steps import write_decisions
    from dagster_project.pipeline.store import Store

    corpus = SHARED / "corpus" / "real"
    if not corpus.exists():
        pytest.skip("no real corpus beside the repo")
    store = Store(tmp_path / "raw", tmp_path, tmp_path / "staging")
    stage_batch([corpus / "2019_pingtan_zhsyq_1.txt"], store, "one")
    stage_batch([corpus / "2020_pingtan_zhsyq_1.txt"], store, "two")
    assert write_decisions(store) == 17  # 11 cells by X-3, 6 by the plausibility rules
    decided = pl.read_parquet(store.decisions_file)
    licensing = decided.filter(pl.col("row_key") == "administrative_licensing")
    assert licensing["value"].to_list() == [396, 0, 181] and set(licensing["identity"]) == {"X-3"}
    chosen = decided.filter(pl.col("identity") == "plausibility")
    assert chosen.group_by("row_key", maintain_order=True).agg("value").rows() == [
        ("normative_documents", [89, 89, 89]),
        ("administrative_coercion", [126, 0, 25]),
    ]
    assert set(chosen["code"]) == {"cells_chosen_by_plausibility"}
