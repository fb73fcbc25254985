"""The `gazette` command: one click group, each subcommand a short function calling library code."""

from __future__ import annotations

import sys

import click

from . import __version__, cli_zh

cli_zh.install()  # click's own words (usage, errors) in Chinese, like ours


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gazette")
def cli() -> None:
    """构建、检查、检索和导入政府公报与规范性文件档案。"""


def main() -> None:
    cli(prog_name="gazette")


# Subcommands live next to the code they drive; each module registers itself here.
from .commands import register_all  # noqa: E402

register_all(cli)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
