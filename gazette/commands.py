"""Registry of CLI subcommands. Each feature module exposes click commands; this wires them in."""

from __future__ import annotations

import importlib

import click

# (module, attribute) of each click command or group, in --help order.
COMMANDS: list[tuple[str, str]] = [
    ("gazette.build", "build_cmd"),
    ("gazette.build", "serve_cmd"),
    ("gazette.check", "check_cmd"),
    ("gazette.cleanup", "cleanup_cmd"),
    ("gazette.search.cli", "search_cmd"),
    ("gazette.search.cli", "index_cmd"),
    ("gazette.importer.cli", "import_cmd"),
]


def register_all(group: click.Group) -> None:
    for module, attr in COMMANDS:
        group.add_command(getattr(importlib.import_module(module), attr))
