"""The bureaus of the 2011 Nanning campaign (DESIGN §1). Loaded by a data migration.

Service-hall addresses, phones and hours other than the city hall's are demo values;
each bureau's admin corrects them in the admin site.
"""

HOURS = "周一至周五 8:00-12:00，15:00-18:00（法定节假日除外）"

CITY = {
    "code": "450100",
    "name": "南宁市财政局",
    "short_name": "市本级",
    "section_name": "会计管理科",
    "hall_name": "南宁市财政局会计服务大厅",
    "hall_address": "南宁市建政路3号",
    "hall_phone": "0771-5520000",
    "hall_hours": HOURS,
}

# code, district/county, demo address
COUNTIES = [
    ("450102", "兴宁区", "南宁市兴宁区民生路88号"),
    ("450103", "青秀区", "南宁市青秀区东葛路118号"),
    ("450105", "江南区", "南宁市江南区星光大道12号"),
    ("450107", "西乡塘区", "南宁市西乡塘区明秀东路22号"),
    ("450108", "良庆区", "南宁市良庆区银海大道1号"),
    ("450109", "邕宁区", "南宁市邕宁区蒲庙镇新兴路3号"),
    ("450122", "武鸣县", "武鸣县城厢镇标营路1号"),
    ("450123", "隆安县", "隆安县城厢镇宝塔路6号"),
    ("450124", "马山县", "马山县白山镇和平街9号"),
    ("450125", "上林县", "上林县大丰镇明山路5号"),
    ("450126", "宾阳县", "宾阳县宾州镇新宾路2号"),
    ("450127", "横县", "横县横州镇茉莉花大道8号"),
]


def bureau_rows() -> list[dict]:
    rows = [dict(CITY, kind="city", parent_code=None)]
    for index, (code, place, address) in enumerate(COUNTIES):
        rows.append(
            {
                "code": code,
                "name": f"{place}财政局",
                "short_name": place,
                "kind": "county",
                "parent_code": CITY["code"],
                "section_name": "会计管理股",
                "hall_name": f"{place}财政局会计服务窗口",
                "hall_address": address,
                "hall_phone": f"0771-{6100001 + index * 1011}",
                "hall_hours": HOURS,
            }
        )
    return rows
