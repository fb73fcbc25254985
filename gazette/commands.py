"""Registry of CLI subcommands. Each feature module exposes click commands; this wires them in."""

from __future__ import annotations

import click

from .annual_report import report_cmd
from .build import build_cmd, serve_cmd
from .check import check_cmd
from .cleanup_apply import cleanup_cmd
from .importer.command import import_cmd
from .init import init_cmd
from .search.command import index_cmd, search_cmd

# In --help order.
COMMANDS: list[click.Command] = [init_cmd, build_cmd, serve_cmd, check_cmd, cleanup_cmd, report_cmd, search_cmd, index_cmd,
                                  import_cmd]


def register_all(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)
