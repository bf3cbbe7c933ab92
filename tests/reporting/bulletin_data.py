"""A week's bulletin of 13 bureaus in the shapes the reporting app produces (plain dicts).

One bureau is named like a formula, to prove every file escapes it.
"""

FORMULA_NAME = '=HYPERLINK("http://x","y")'

BUREAUS = [
    ("450100", "南宁市本级财政局", "南宁市本级"),
    ("450102", "兴宁区财政局", "兴宁区"),
    ("450103", "青秀区财政局", "青秀区"),
    ("450105", "江南区财政局", "江南区"),
    ("450107", "西乡塘区财政局", "西乡塘区"),
    ("450108", "良庆区财政局", "良庆区"),
    ("450109", "邕宁区财政局", "邕宁区"),
    ("450110", "武鸣区财政局", "武鸣区"),
    ("450127", "横县财政局", "横县"),
    ("450126", "宾阳县财政局", "宾阳县"),
    ("450125", "上林县财政局", "上林县"),
    ("450124", "马山县财政局", "马山县"),
    ("450123", FORMULA_NAME, FORMULA_NAME),  # 隆安县, renamed by someone hostile
]
SHEET_STATES = ["已采纳", "已采纳", "逾期", "未报送", "", "已采纳", "已报送"]
NUMBER_KEYS = (
    "holders",
    "in_post",
    "not_started",
    "draft",
    "waiting",
    "returned",
    "confirmed_week",
    "confirmed",
    "pending",
)


def bulletin_rows(count: int = 13) -> tuple[list[dict], dict]:
    """The ranked rows (best rate first) and the totals row."""
    rows = []
    for index, (code, name, short) in enumerate(BUREAUS[:count]):
        holders = 1200 + 397 * index % 2900
        confirmed = holders * (93 - 6 * index) // 100 if index != 12 else 0
        waiting = 20 + 7 * index
        returned = 3 + index
        draft = 20 + 11 * index
        not_started = holders - confirmed - waiting - returned - draft
        rows.append(
            {
                "bureau_code": code,
                "bureau_name": name,
                "short_name": short,
                "holders": holders,
                "in_post": holders - 50 - 3 * index,
                "not_started": not_started,
                "draft": draft,
                "waiting": waiting,
                "returned": returned,
                "confirmed_week": 30 + 5 * index,
                "confirmed": confirmed,
                "pending": index % 3,
                "rate": confirmed / holders,
                "rate_change": None if index == 3 else round(0.031 - 0.006 * index, 3),
                "sheet": SHEET_STATES[index % len(SHEET_STATES)],
            }
        )
    rows.sort(key=lambda row: -row["rate"])
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    totals = {key: sum(row[key] for row in rows) for key in NUMBER_KEYS}
    totals["bureau_name"] = "合计"
    totals["rate"] = totals["confirmed"] / totals["holders"]
    totals["rate_change"] = 0.012
    return rows, totals


def bulletin_trend(weeks: int = 6) -> list[dict]:
    trend = []
    for index in range(weeks):
        number = 45 + index
        holders = 25000 + 10 * index
        confirmed = int(holders * min(0.97, 0.08 + 0.155 * index))
        trend.append(
            {
                "week": f"2026-W{number:02d}",
                "label": f"第{number}周",
                "holders": holders,
                "confirmed": confirmed,
                "pending": index % 3,
                "rate": confirmed / holders,
            }
        )
    return trend
