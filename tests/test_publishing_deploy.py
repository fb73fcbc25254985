"""The nginx example in deploy/nginx.conf, run by a real nginx over the built sample site: it serves
the precompressed copies, the security headers, caching rules and the short permanent addresses."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import ROOT, unavailable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def nginx_url(sample_site, tmp_path_factory):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not nginx:
        unavailable("nginx is not installed (apt-get install nginx-light)")
    prefix = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    with open(os.path.join(ROOT, "deploy", "nginx.conf"), encoding="utf-8") as f:
        conf = f.read()
    # The example as published, made local: plain HTTP on a free port, the test's site folder,
    # logs in the temporary folder. Everything else (compression, headers, caching) is kept.
    conf = conf.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
    conf = re.sub(r"\n\s*ssl_certificate[^\n]*", "", conf)
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{_free_port()};")
    conf = conf.replace("/srv/gazette", sample_site.output)
    conf = conf.replace("include       mime.types;", "include /etc/nginx/mime.types;")
    conf = conf.replace("http {", f"http {{\n    access_log off;\n    client_body_temp_path {prefix}/body;", 1)
    (prefix / "nginx.conf").write_text(conf, encoding="utf-8")
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read pytest's private temp folders
    proc = subprocess.Popen([nginx, "-c", str(prefix / "nginx.conf"), "-p", str(prefix),
                             "-g", f"daemon off; {user} pid {prefix}/nginx.pid; error_log {prefix}/error.log;"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(50):
        try:
            urllib.request.urlopen(url + "robots.txt", timeout=1)
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None:
                pytest.fail(f"nginx did not start: {proc.stdout.read().decode()}")
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def get(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_nginx_serves_the_precompressed_copy(nginx_url, sample_site):
    status, headers, body = get(nginx_url + "index.html", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    with open(os.path.join(sample_site.output, "index.html.gz"), "rb") as f:
        assert body == f.read(), "the .gz file itself, not compressed on the fly"
    assert gzip.decompress(body).startswith(b"<!DOCTYPE html>")
    status, headers, body = get(nginx_url + "index.html")
    assert headers.get("Content-Encoding") is None and body.startswith(b"<!DOCTYPE html>")


def test_nginx_sets_security_headers_and_caching(nginx_url, sample_site):
    _, headers, _ = get(nginx_url + "index.html")
    assert "script-src 'self';" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "public, max-age=3600"
    with open(os.path.join(sample_site.output, "catalogue.json"), encoding="utf-8") as f:
        record = next(r for r in json.load(f)["documents"] if r["pdf_url"])
    _, headers, body = get(nginx_url + record["pdf_url"])
    assert headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
    assert headers["Cache-Control"] == "public, max-age=604800"
    _, headers, _ = get(nginx_url + "catalogue.json")
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_nginx_resolves_short_permanent_addresses(nginx_url, sample_site):
    with open(os.path.join(sample_site.output, "catalogue.json"), encoding="utf-8") as f:
        record = next(r for r in json.load(f)["documents"] if r["eli_url"])
    status, _, body = get(nginx_url + record["eli_url"])
    assert status == 200
    assert f'url=../../../../{record["url"]}'.encode() in body
    # Without the trailing slash nginx redirects to the folder, then serves its index.html.
    status, headers, _ = get(nginx_url + record["eli_url"].rstrip("/"))
    assert status == 200


def test_nginx_never_serves_dot_paths(nginx_url, sample_site):
    """A lock, temporary or scratch file that reached the server (a scratch folder of a killed
    build, an editor's backup) is not served: any path part starting with a dot is a 404."""
    made = [os.path.join(sample_site.output, "search-index", ".killed", "t", "0.bin"),
            os.path.join(sample_site.output, ".gazette-build.lock"),
            os.path.join(sample_site.output, "documents", ".draft.html")]
    try:
        for path in made:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write("不予公开的文字")
        for path in made:
            rel = os.path.relpath(path, sample_site.output).replace(os.sep, "/")
            status, _, body = get(nginx_url + rel)
            assert status == 404 and "不予公开".encode() not in body, rel
        assert get(nginx_url + "index.html")[0] == 200
    finally:
        for path in made:
            os.remove(path)
        shutil.rmtree(os.path.join(sample_site.output, "search-index", ".killed"))
