"""Registry of CLI subcommands. Each feature module exposes click commands; this wires them in.

Each subcommand's module is imported only when that subcommand runs (or when help lists them all):
`gazette build` does not pay for the importer's HTML and PDF libraries (a quarter of a second, a sixth
of an edit-one rebuild at 1,512 documents)."""

from __future__ import annotations

import importlib

import click

# Name -> "module:attribute", relative to this package.
COMMANDS: dict[str, str] = {
    "init": ".init:init_cmd",
    "build": ".build:build_cmd",
    "serve": ".build:serve_cmd",
    "check": ".check:check_cmd",
    "cleanup": ".cleanup_apply:cleanup_cmd",
    "report": ".annual_report:report_cmd",
    "search": ".search.command:search_cmd",
    "index": ".search.command:index_cmd",
    "import": ".importer.command:import_cmd",
}


def load(name: str) -> click.Command:
    module, attribute = COMMANDS[name].split(":")
    return getattr(importlib.import_module(module, __package__), attribute)


class LazyGroup(click.Group):
    """A click group whose subcommands come from `COMMANDS`, each imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            self.add_command(load(name), name)
        return super().get_command(ctx, name)
