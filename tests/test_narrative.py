"""What the prose says, read as statements to compare with 表三."""

from dagster_project.parsing.narrative import statements


def test_combined_granted_and_partial_is_one_statement():
    found = [(s.topic, s.number) for s in statements("办结81件，其中：予以公开及部分公开42件，占51.85%；不予公开5件。")]
    assert found == [("granted_or_partial", 42), ("withheld", 5)]


def test_separate_statements_and_chinese_numerals():
    found = {(s.topic, s.number) for s in statements("共收到政府信息公开申请十二件，予以公开7件，部分公开1件。")}
    assert found == {("received", 12), ("granted", 7), ("partially_granted", 1)}
