"""The outline of a document body (一、 / （一） or (一) / 1.)."""

from __future__ import annotations

from shuzhi.domains.policy.outline import MAX_TITLE, heading, outline


def test_three_levels_with_both_kinds_of_parentheses() -> None:
    body = "\n".join(
        [
            "各县（市、区）人民政府：",
            "一、总体要求",
            "(一)指导思想。以人民为中心。",
            "（二）总体目标：到2025年。",
            "1.构建全市域感知体系。围绕产业。",
            "2．健全机制",
            "二、主要任务",
            "1.不在（一）之下",
            "（一）新的二级",
            "3.5亿元资金已到位。",  # a number, not a heading
            "十二、第十二节",
        ]
    )
    found = outline(body)
    assert [(e["level"], e["label"], e["title"], e["anchor"], e["line"]) for e in found] == [
        (1, "一、", "总体要求", "s-1", 1),
        (2, "(一)", "指导思想", "s-1-1", 2),
        (2, "（二）", "总体目标", "s-1-2", 3),
        (3, "1.", "构建全市域感知体系", "s-1-2-1", 4),
        (3, "2．", "健全机制", "s-1-2-2", 5),
        (1, "二、", "主要任务", "s-2", 6),
        (3, "1.", "不在（一）之下", "s-2-0-1", 7),
        (2, "（一）", "新的二级", "s-2-1", 8),
        (1, "十二、", "第十二节", "s-3", 10),
    ]
    assert len({e["anchor"] for e in found}) == len(found)


def test_long_titles_are_cut_and_plain_text_has_no_outline() -> None:
    entry = heading("1." + "长" * 100)
    assert entry is not None
    assert len(entry[2]) == MAX_TITLE
    assert entry[2].endswith("…")
    assert outline("没有标题的正文。\n第二段。") == []
    assert heading("(此件公开发布)") is None
