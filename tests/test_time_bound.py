"""Time-bound notices (gazette/time_bound.py): a title that names a year, a period or a season or
one-off occasion, read the way gazette titles are built; `gazette check` warns about those in force,
without `expires`, whose time is over."""

from __future__ import annotations

import datetime as dt
import glob
import os
import re

import pytest
from click.testing import CliRunner

from conftest import CONTENT, CORPUS
from gazette.cli import cli
from gazette.time_bound import outlived, time_marks

TIME_BOUND = {
    "临澜市人民政府办公室关于做好2022年防汛防台风工作的通知": 2022,
    "臨瀾市人民政府辦公室關於做好2022年防汛防颱風工作的通知": 2022,
    "关于做好二〇二二年防汛工作的通知": 2022,
    "关于公布2024—2025年度重点项目名单的通知": 2025,
    "关于印发《临澜市2024年政务公开工作要点》的通知": 2024,
    "关于印发临澜市国土空间总体规划（2021—2035年）的通知": 2035,
    "关于印发临澜市“十四五”数字政府建设规划的通知": 2025,
    "丽水市人民政府关于下达2023年市区符合政府安排工作条件退役士兵和退出消防员安置任务的通知": 2023,
    "临澜市人民政府关于2025年春节期间燃放烟花爆竹管理的通告": 2025,
    "关于做好汛期安全生产工作的通知": None,
    "关于做好高校毕业生就业工作的通知": None,
    "关于做好今年国庆期间值班工作的通知": None,
}
LASTING = [
    "临澜市城市绿化管理办法（2023年修正本）",
    "中华人民共和国宪法修正案（2004年）",
    "中华人民共和国防汛条例",
    "临澜市义务教育阶段学校招生入学管理办法",
    "临澜市教育局关于修改《临澜市义务教育阶段学校招生入学管理办法》的决定",
    "临澜市人民政府关于公布2024年规章和规范性文件清理结果的决定",
    "关于印发临澜市促进消费若干措施（2023年版）的通知",
    "关于印发《临澜市2024年度重点项目资金管理办法》的通知",
    "关于2024年5月1日起调整公交票价的通知",
    "1992年国际油污损害民事责任公约",
    "关于职工全年月平均工作时间和工资折算问题的通知",
    "江西省人民政府关于废止《江西省著名商标认定和保护办法》的决定",
]


@pytest.mark.parametrize("title", sorted(TIME_BOUND))
def test_a_title_naming_a_year_period_or_season_is_time_bound(title):
    marks = time_marks(title)
    assert marks, title
    assert max((m.last_year or 0) for m in marks) == (TIME_BOUND[title] or 0)


@pytest.mark.parametrize("title", LASTING)
def test_lasting_forms_versions_dates_and_cited_titles_are_not(title):
    assert time_marks(title) == []


def test_a_year_is_over_from_the_next_year_a_season_a_year_after_issue():
    title, season = "关于做好2025年高校毕业生就业工作的通知", "关于做好春节期间值班工作的通知"
    issued = dt.date(2025, 3, 1)
    assert outlived(title, issued, dt.date(2025, 12, 31)) == []
    assert [m.words for m in outlived(title, issued, dt.date(2026, 1, 1))] == ["2025年"]
    assert outlived(season, issued, dt.date(2026, 2, 28)) == []
    assert [m.words for m in outlived(season, issued, dt.date(2026, 3, 3))] == ["春节"]


def law_titles() -> list[str]:
    if not os.path.isdir(CORPUS):
        pytest.skip(f"{CORPUS} not found (see ../shared/corpus/README.md)")
    titles = set()
    for path in glob.glob(os.path.join(CORPUS, "**", "*.md"), recursive=True):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        titles.add(text.split("\n", 1)[0].lstrip("# ").strip())
        titles.update(re.findall(r"《([^《》\n]{6,80})》", text))     # the titles they cite
    return sorted(titles)


def test_no_real_law_regulation_or_cited_title_of_the_corpus_is_time_bound():
    # 1,512 laws, regulations, rules and interpretations and the ~1,400 titles they cite (laws, treaties,
    # the State Council's notices): lasting instruments, some with a year or 防汛 in the name.
    titles = law_titles()
    assert len(titles) > 2000
    assert sum(bool(re.search(r"\d{4}年|汛|招生|年度", t)) for t in titles) >= 5
    assert [t for t in titles if time_marks(t)] == []


def check(*args):
    return CliRunner().invoke(cli, ["check", "--content", CONTENT, "--as-of", "2026-11-22", *args])


def test_check_warns_about_the_samples_outlived_notices_without_changing_the_exit_status(tmp_path):
    on = check()
    warned = sorted(re.findall(r"(documents/\S+\.md):\d+: title: 标题中的", on.stderr))
    # The 2022 防汛防台风 notice, the 2025 graduate-employment notice, the 2023 road-works plan; not the
    # 2026 notices (their year is not over), not those with `expires`, not the 修正本 of a rule.
    assert warned == ["documents/2022/llzbf-2022-09.md", "documents/2023/llgg-2023-01.md",
                      "documents/2025/llzbf-2025-06.md"]
    assert "“2022年”已过" in on.stderr and "expires" in on.stderr and "（警告）" in on.stderr
    settings = tmp_path / "pelicanconf.py"
    settings.write_text("GAZETTE_WARN_TIME_BOUND = False\n", encoding="utf-8")
    off = check("--settings", str(settings))
    assert "标题中的" not in off.stderr
    assert on.exit_code == off.exit_code == 0 and on.stdout == off.stdout
