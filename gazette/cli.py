"""The `gazette` command: one click group, each subcommand a short function calling library code."""

from __future__ import annotations

import sys

import click

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gazette")
def cli() -> None:
    """Build, check, search and import a gazette archive (政府公報 / 規範性文件庫)."""


def main() -> None:
    cli(prog_name="gazette")


# Subcommands live next to the code they drive; each module registers itself here.
from .commands import register_all  # noqa: E402

register_all(cli)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
