"""Production settings: absolute feed links. Use with `gazette build --settings publishconf.py`."""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: F401,F403,E402

# The public address of the site, used for feed and sitemap links (pages stay relative).
SITEURL = os.environ.get("GAZETTE_SITEURL", "https://gazette.linlan.example.gov.cn")
FEED_DOMAIN = SITEURL
DELETE_OUTPUT_DIRECTORY = True
