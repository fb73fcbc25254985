"""`gazette init`: a new site project (settings, a sample archive, a README), as pelican-quickstart does."""

from __future__ import annotations

import os

import click

from .fileio import write_atomic
from .project import PACKAGE_DIR, GazetteError

# The project template; `*.tmpl` files lose that suffix (pelicanconf.py.tmpl → pelicanconf.py), so that
# no tool mistakes the template for a module of the package.
SKELETON = os.path.join(PACKAGE_DIR, "skeleton")


def skeleton_files() -> list[str]:
    """The project template's files, relative to it, sorted."""
    out = []
    for dirpath, dirnames, files in os.walk(SKELETON):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        out += [os.path.relpath(os.path.join(dirpath, f), SKELETON) for f in sorted(files) if not f.endswith(".pyc")]
    return out


def create_site(folder: str, sitename: str, publisher: str) -> list[str]:
    """Write the project template into `folder` (new, or empty), with the site's name filled in.

    Returns the files written. GazetteError if `folder` already holds anything."""
    if os.path.exists(folder) and (not os.path.isdir(folder) or os.listdir(folder)):
        raise GazetteError(f"{folder} 已存在且不是空目录；请换一个目录名，或先清空它。")
    written = []
    for rel in skeleton_files():
        with open(os.path.join(SKELETON, rel), encoding="utf-8") as f:
            text = f.read().replace("{sitename}", sitename).replace("{publisher}", publisher)
        target = os.path.join(folder, rel[:-len(".tmpl")] if rel.endswith(".tmpl") else rel)
        write_atomic(target, text)
        written.append(target)
    return written


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--name", "sitename", default="示例市人民政府公报", show_default=True, help="网站名称（SITENAME）。")
@click.option("--publisher", default="示例市人民政府办公室", show_default=True,
              help="主办单位（SITE_PUBLISHER），也用作示例文件的发文机关。")
def init_cmd(folder, sitename, publisher):
    """新建一个网站项目：pelicanconf.py、publishconf.py、含一期公报和一件文件的 content/，以及 README。"""
    written = create_site(folder, sitename, publisher)
    click.echo(f"已在 {folder}/ 新建网站项目（{len(written)} 个文件）。接下来：")
    click.echo(f"  cd {folder}")
    click.echo("  gazette build    # 构建 content/ → output/")
    click.echo("  gazette serve    # 在 http://localhost:8000 预览")
