"""One language for people: every command's help and messages in Simplified Chinese (option names
stay English), and the README's command reference is exactly what --help prints."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from gazette.cli import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CJK = re.compile(r"[\u4e00-\u9fff]")
# Three English words in a row: a sentence a person reads (option names, metavars, setting names
# and `code` do not come three lowercase words at a time).
ENGLISH = re.compile(r"\b[a-z]{2,}\b[ ,]+\b[a-z]{2,}\b[ ,]+\b[a-z]{2,}\b")


def all_commands(group=cli, path=()):
    yield path, group
    if isinstance(group, click.Group):
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            yield from all_commands(group.get_command(ctx, name), path + (name,))


COMMANDS = list(all_commands())


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) or "gazette" for p, _ in COMMANDS])
def test_every_command_and_option_is_documented_in_chinese(path, command):
    assert command.help and CJK.search(command.help), f"{path}: no Chinese help"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help and CJK.search(param.help), f"{path} {param.opts}: no Chinese help"
    out = CliRunner().invoke(cli, [*path, "--help"], terminal_width=100).output
    assert not ENGLISH.search(_strip_code(out)), ENGLISH.search(_strip_code(out)).group(0)


def _strip_code(text: str) -> str:
    # The usage line (command names), `gazette build`, 'date:[2017-01-01 to 2018-12-31]': code
    # stays as it is typed.
    text = re.sub(r"^用法：.*$", "", text, flags=re.M)
    return re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"|“[^”]*”", "", text)


@pytest.mark.parametrize("args", [["build", "--as-of", "22.11.2026"], ["check", "--format", "yaml"],
                                  ["search"], ["build", "--nonsense"], ["nonsense"], ["cleanup", "apply"],
                                  ["search", "x", "--limit", "0"], ["build", "--partition", "2015-2024"]])
def test_usage_errors_are_in_chinese(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    text = result.stderr
    assert CJK.search(text) and "用法：" in text and not ENGLISH.search(_strip_code(text)), text
    assert "Usage:" not in text and "Error:" not in text


def test_readme_command_reference_is_the_help_output():
    result = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "cli_reference.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_readme_lists_the_debian_packages_the_test_command_installs():
    import ast

    with open(os.path.join(ROOT, "scripts", "dev.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    apt = next(ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
               and any(getattr(t, "id", None) == "APT_PACKAGES" for t in node.targets))
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    listed = re.search(r"installs the Debian packages[^(]*\(([^)]*)\)", readme)
    assert listed, "README: the intro no longer lists the Debian packages"
    assert re.findall(r"`([^`]+)`", listed.group(1)) == apt


def test_an_option_several_commands_share_says_the_same_everywhere():
    # Declared once in gazette/cli_options.py: the same name means the same type, default and help.
    seen: dict[str, tuple] = {}
    for path, command in COMMANDS:
        for param in command.params:
            if isinstance(param, click.Option):
                what = (param.name, param.help, repr(param.type), param.default, param.is_flag)
                assert seen.setdefault(param.opts[0], what) == what, f"{' '.join(path)} {param.opts[0]}"
