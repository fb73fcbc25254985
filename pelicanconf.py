"""Site settings for previews (`gazette build` / `gazette serve`). publishconf.py extends these."""

SITENAME = "临澜市人民政府公报"
SITESUBTITLE = "政府公报与规范性文件库"
SITE_PUBLISHER = "临澜市人民政府办公室"
SITEURL = ""
RELATIVE_URLS = True
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"

# Labels of the site in Simplified ("zh-Hans") or Traditional ("zh-Hant") characters.
SITE_SCRIPT = "zh-Hans"

# Validity rules (see docs and gazette/validity.py).
GAZETTE_REVIEW_CYCLE_YEARS = 2
GAZETTE_REVIEW_DUE_SOON_DAYS = 90
GAZETTE_REVIEW_DOC_TYPES = ["规范性文件", "规章"]

# How a citizen requests an on-request (依申请公开) document; shown on its catalogue entry.
GAZETTE_REQUEST_PAGE = "pages/request.html"

THEME = "theme"
PATH = "content"
OUTPUT_PATH = "output"
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["gazette_site"]
