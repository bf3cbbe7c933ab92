"""Deterministic, realistic demo people for `seed_demo` and the benchmark.

Person i always comes out the same, so seeding twice inserts nothing new; ID and
certificate numbers are unique by construction (derived bijectively from i).
"""

import datetime
import random
from collections.abc import Iterator
from typing import Any

from stdnum.cn import ric, uscc

from practitioners.constants import AbacusLevel, Education, Gender, IdType, TitleLevel

SURNAMES = "黄李韦陈梁覃莫蒙农陆刘张王杨罗周蓝廖潘卢吴谢林何苏邓唐赵冯钟曾马黎胡韩许邱蒋施"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲红梅琳丹萍鹏辉健斌宇晨"
    "思雨欣怡浩然子涵梓轩佳琪婷雪婕凯文海燕春兰志坚翠莲振东立新永福建国少华丽珍"
)
RARE = "堃喆犇䶮淏珺琤赟"  # real in names, missing from many fonts: exercise rendering
ETHNIC = ("汉族",) * 6 + ("壮族",) * 3 + ("瑶族", "苗族", "侗族", "仫佬族", "回族")
MAJORS = (
    "会计学",
    "财务管理",
    "审计学",
    "会计电算化",
    "金融学",
    "税务",
    "工商管理",
    "经济学",
    "统计学",
)
SCHOOLS = (
    "广西大学",
    "广西财经学院",
    "广西民族大学",
    "广西师范大学",
    "南宁职业技术学院",
    "广西经济管理干部学院",
    "中央广播电视大学",
    "广西财政高等专科学校",
    "广西商业学校",
    "中南财经政法大学",
)
POSITIONS = ("会计", "出纳", "财务主管", "财务经理", "总会计师", "审计员", "会计主管", "税务专员")
COMPANY_PARTS = (
    "绿城",
    "邕江",
    "八桂",
    "青秀山",
    "五象",
    "南湖",
    "东盟",
    "朝阳",
    "民族",
    "茉莉花",
    "北部湾",
    "金桥",
    "华宁",
    "桂通",
    "凤岭",
    "昆仑",
    "明秀",
    "壮锦",
    "相思湖",
    "荔园",
)
COMPANY_KINDS = (
    "商贸有限公司",
    "建筑工程有限公司",
    "食品有限责任公司",
    "会计师事务所",
    "物流有限公司",
    "医药有限公司",
    "糖业股份有限公司",
    "中学",
    "人民医院",
    "农村信用合作联社",
    "科技有限公司",
)
STREETS = (
    "民族大道",
    "朝阳路",
    "友爱路",
    "大学路",
    "星湖路",
    "竹溪大道",
    "白沙大道",
    "园湖路",
    "新民路",
    "衡阳路",
)

# Share of practitioners per bureau, roughly by population.
BUREAU_WEIGHTS = {
    "450100": 24,
    "450102": 8,
    "450103": 12,
    "450105": 8,
    "450107": 10,
    "450108": 4,
    "450109": 3,
    "450122": 6,
    "450123": 3,
    "450124": 3,
    "450125": 3,
    "450126": 7,
    "450127": 9,
}
# Where people were born: mostly the bureau's own area, sometimes elsewhere in Guangxi,
# now and then an old code of a division that no longer exists (a warning, never an error).
OTHER_REGIONS = ("450301", "450401", "450502", "450803", "451002", "452101", "452122", "450821")

DEMO_PASSWORD = "Registry-2026"  # every demo account's password, printed by seed_demo
_DAYS = 14600  # birth dates over 40 years
_ID_SPACE = _DAYS * 1000  # (day, sequence) pairs
_MULTIPLIER = 7_368_787  # coprime with _ID_SPACE: i -> j is a bijection, so IDs never repeat
_FIRST_BIRTH = datetime.date(1958, 1, 1)


def _resident_id(region: str, birth: datetime.date, seq: int) -> str:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def _credit_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91450100" + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def demo_person(i: int, bureau_codes: list[str], cum_weights: list[int]) -> dict[str, Any]:
    """Person number i, as register values (with `bureau_code`)."""
    rng = random.Random(i * 7919 + 17)
    bureau_code = rng.choices(bureau_codes, cum_weights=cum_weights)[0]
    j = (i * _MULTIPLIER) % _ID_SPACE
    birth = _FIRST_BIRTH + datetime.timedelta(days=j % _DAYS)
    seq = j // _DAYS
    roll = rng.random()
    if roll < 0.80:
        region = (
            bureau_code
            if bureau_code != "450100"
            else rng.choice(("450102", "450103", "450105", "450107"))
        )
    else:
        region = rng.choice(OTHER_REGIONS)
    id_number = _resident_id(region, birth, seq)
    gender = Gender.MALE if seq % 2 else Gender.FEMALE
    given_len = 1 if rng.random() < 0.3 else 2
    given = "".join(rng.choice(GIVEN) for _ in range(given_len))
    if rng.random() < 0.003:
        given = given[:-1] + rng.choice(RARE)
    name = rng.choice(SURNAMES) + given
    age_2011 = 2011 - birth.year
    education = rng.choices(list(Education), weights=(1, 6, 35, 35, 15, 8))[0]
    grad_year = (
        birth.year
        + {
            "doctorate": 29,
            "master": 26,
            "bachelor": 22,
            "junior_college": 21,
            "secondary": 19,
            "high_school": 18,
        }[education]
    )
    cert_year = min(2011, max(grad_year - 1, 1995) + rng.randint(0, 6))
    if age_2011 > 45:
        title = rng.choices(list(TitleLevel), weights=(20, 25, 35, 18, 2))[0]
    elif age_2011 > 32:
        title = rng.choices(list(TitleLevel), weights=(35, 35, 25, 5, 0))[0]
    else:
        title = rng.choices(list(TitleLevel), weights=(60, 35, 5, 0, 0))[0]
    employed = rng.random() < 0.86
    company = rng.choice(COMPANY_PARTS) + rng.choice(COMPANY_KINDS)
    place = (
        "南宁市"
        if bureau_code in ("450100", "450102", "450103", "450105", "450107", "450108", "450109")
        else ""
    )
    return {
        "bureau_code": bureau_code,
        "name": name,
        "gender": gender,
        "ethnicity": rng.choice(ETHNIC),
        "birth_date": birth,
        "id_type": IdType.RESIDENT_ID,
        "id_number": id_number,
        "cert_number": f"{bureau_code}{cert_year % 100:02d}{i:07d}",
        "cert_issue_date": datetime.date(cert_year, rng.randint(1, 12), rng.randint(1, 28)),
        "education": education,
        "major": rng.choice(MAJORS),
        "school": rng.choice(SCHOOLS),
        "graduation_date": datetime.date(
            min(grad_year, 2011), rng.choice((6, 7, 12)), 30 if rng.random() < 0.5 else 1
        ),
        "title_level": title,
        "title_cert_number": f"GX{cert_year + 1}{i % 100000:05d}"
        if title != TitleLevel.NONE
        else "",
        "title_date": datetime.date(min(cert_year + 2, 2011), rng.randint(1, 12), 1)
        if title != TitleLevel.NONE
        else None,
        "abacus_level": rng.choice(
            (
                AbacusLevel.NONE,
                AbacusLevel.NONE,
                AbacusLevel.LEVEL_5,
                AbacusLevel.LEVEL_4,
                AbacusLevel.LEVEL_3,
            )
        ),
        "has_computing_cert": rng.random() < 0.7,
        "employer": f"{place}{company}" if employed else "",
        "employer_credit_code": _credit_code(rng) if employed and rng.random() < 0.8 else "",
        "position": rng.choice(POSITIONS) if employed else "",
        "in_accounting_post": employed and rng.random() < 0.85,
        "mobile": f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
        "email": f"user{i}@example.com" if rng.random() < 0.4 else "",
        "address": f"南宁市{rng.choice(STREETS)}{rng.randint(1, 300)}号",
        "postcode": "530022" if place else "530100",
    }


def demo_people(start: int, stop: int, bureau_codes: list[str]) -> Iterator[dict[str, Any]]:
    weights = [BUREAU_WEIGHTS.get(code, 3) for code in bureau_codes]
    cum, total = [], 0
    for w in weights:
        total += w
        cum.append(total)
    for i in range(start, stop):
        yield demo_person(i, bureau_codes, cum)
