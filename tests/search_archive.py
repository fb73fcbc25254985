"""A tiny mixed-script archive for the search tests (written to a tmp dir, fictional)."""

from __future__ import annotations

import datetime as dt
import os

from gazette.archive import load_archive
from gazette.site import SiteModel
from gazette.validity import ValiditySettings

AS_OF = dt.date(2026, 11, 22)

DOCS = {
    "trad-notice": """title: 臨海市人民政府關於公布現行有效規範性文件目錄的通知
date: 2017-01-20
doc_number: 臨政發〔2017〕21號
issuer: 臨海市人民政府
doc_type: 規範性文件
category: 綜合政務
reviewed: 2026-01-10

經清理，現將現行有效的規範性文件目錄予以公布。本公報創刊以來刊登的文件，均按此目錄標注有效性。
""",
    "simp-rules": """title: 临海市城市绿化管理办法
date: 2019-05-08
doc_number: 临政规〔2019〕3号
issuer: 临海市人民政府;临海市园林局
doc_type: 规范性文件
category: 城乡建设
reviewed: 2019-05-08

第一条 为了加强城市绿化管理，改善生态环境，制定本办法。古树名木实行统一保护。
""",
    "old-notice": """title: 临海市关于停止执行若干文件的决定
date: 2015-03-02
doc_number: 临政发〔2015〕7号
issuer: 临海市人民政府
doc_type: 决定
category: 综合政务
validity: repealed

本决定所列文件停止执行。公报刊登的绿化管理规定同时废止。
""",
    "asked": """title: 临海市人民政府办公室关于调整议事协调机构组成人员的通知
date: 2020-06-20
doc_number: 临政办发〔2020〕11号
issuer: 临海市人民政府办公室
doc_type: 通知
disclosure: on_request

具体人员名单：军分区副司令员担任副总指挥。
""",
    "secret": """title: 临海市储备粮轮换底价内部通知
date: 2021-09-01
doc_number: 临政内〔2021〕4号
issuer: 临海市人民政府
doc_type: 通知
disclosure: withheld

轮换销售底价仅限抄送单位掌握，滨江新库点不得对外泄露。
""",
}


def write_archive(root: str, docs: dict[str, str] = DOCS) -> str:
    """Write `docs` as content/documents/<slug>.md under `root`; return the content folder."""
    content = os.path.join(root, "content")
    os.makedirs(os.path.join(content, "documents"), exist_ok=True)
    for slug, text in docs.items():
        with open(os.path.join(content, "documents", f"{slug}.md"), "w", encoding="utf-8") as f:
            f.write(text)
    return content


def site_model(content: str, as_of: dt.date = AS_OF) -> SiteModel:
    archive = load_archive(content)
    assert not archive.errors, archive.errors
    return SiteModel.build(archive, as_of, ValiditySettings())
