"""The web app as a real server process over the sample corpus, and headless Debian Chromium to drive it.

One server per test session (the model loads once): tests that change the index (upload) run last in their module.
The browser is started with flags that keep it from calling anywhere, and every request the page makes is recorded,
so a test can prove the page fetched nothing from outside.
"""

from __future__ import annotations

import http.client
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from netutil import free_port

ROOT = Path(__file__).resolve().parents[2]
EXEMPEL = ROOT / "data" / "exempel"
TEST_OUTPUT = ROOT / "test-output"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ADMIN_PASSWORD = "personal-lösen-123"
SCREENSHOTS = TEST_OUTPUT / "screenshots"


@dataclass
class WebApp:
    url: str
    home: Path
    log: Path
    proc: subprocess.Popen

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_server(home: Path, model_cache: Path, *extra: str, env: dict[str, str] | None = None) -> WebApp:
    """`python -m ui.cli serve` as its own process, on a free loopback port; returns once the page answers."""
    port = free_port()
    log = home / "server.log"
    full_env = {
        **os.environ, "STYRDOK_HOME": str(home), "STYRDOK_MODEL_CACHE": str(model_cache), "OMP_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", **(env or {}),
    }  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "serve", "--port", str(port), *extra],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    app = WebApp(f"http://127.0.0.1:{port}", home, log, proc)
    try:
        wait_for_http(app.url + "/", proc)
    except Exception:
        stop_server(app)
        raise RuntimeError(f"the web app did not start:\n{app.log_text()}") from None
    return app


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Until the page itself answers 200 (an open port alone can still answer 404 while Gradio mounts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def stop_server(app: WebApp) -> None:
    app.proc.terminate()
    try:
        app.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        app.proc.kill()
        app.proc.wait()


@pytest.fixture(scope="session")
def web_home(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    """A STYRDOK_HOME with the sample corpus ingested (in this process: the model is loaded here already)."""
    from index.config import Settings
    from index.engine import Index

    home = tmp_path_factory.mktemp("web-home")
    idx = Index(Settings(home=home, model_cache=embedder.settings.model_cache), embedder=embedder)
    try:
        results = idx.ingest([EXEMPEL])
    finally:
        idx.close()
    assert any(r.status == "ingested" for r in results), results
    # A copy for the second server, made now while nothing has the index open: two processes must not share one
    # embedded Chroma, and the first server's tests write to theirs.
    shutil.copytree(home, home.with_name(home.name + "-kopia"))
    return home


@pytest.fixture(scope="session")
def web_app(web_home: Path, model_cache: Path) -> Iterator[WebApp]:
    app = start_server(web_home, model_cache, env={"STYRDOK_ADMIN_PASSWORD": ADMIN_PASSWORD})
    yield app
    stop_server(app)


@dataclass
class Requests:
    urls: list[str] = field(default_factory=list)

    def outside(self, base: str) -> list[str]:
        """Requests to any other host than the app's (in-page data: and blob: URLs are not requests out)."""
        host = urllib.parse.urlsplit(base).netloc
        return [
            u
            for u in self.urls
            if not u.startswith(("data:", "blob:", "about:")) and urllib.parse.urlsplit(u).netloc != host
        ]


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian-paketet chromium saknas (bash scripts/system-deps.sh installerar det)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")  # fresh user-data-dir: no state from other runs
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, locale="sv-SE",
            viewport={"width": 1280, "height": 900},
        )  # fmt: skip
        context.set_default_timeout(30_000)
        yield context
        context.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A new tab; its requests are recorded on `page.requests`. Closed after the test."""
    pg = browser.new_page()
    recorded = Requests()
    pg.on("request", lambda r: recorded.urls.append(r.url))
    pg.requests = recorded
    yield pg
    pg.close()


@pytest.fixture(scope="session")
def admin_password() -> str:
    return ADMIN_PASSWORD


@pytest.fixture(scope="session")
def screenshot():
    """`screenshot(page, name)` saves test-output/screenshots/<name>.png (the folder is emptied once per session)."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)

    def shoot(page, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return shoot


class _PrefixProxy(http.server.ThreadingHTTPServer):
    daemon_threads = True


def start_prefix_proxy(prefix: str, upstream_port: int) -> tuple[http.server.ThreadingHTTPServer, str]:
    """A minimal reverse proxy on loopback: /prefix/... → upstream /..., streamed (Gradio's queue uses server-sent
    events). It strips the prefix, as an nginx `location /prefix/ { proxy_pass http://app/; }` does."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection; the body ends when the connection closes

        def log_message(self, *args: object) -> None:  # quiet: pytest shows the failures that matter
            pass

        def _forward(self) -> None:
            if not (self.path == prefix or self.path.startswith(prefix + "/")):
                self.send_error(404, "outside the proxied prefix")
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            headers.update({"X-Forwarded-Host": self.headers.get("Host", ""), "X-Forwarded-Proto": "http"})
            conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
            try:
                conn.request(self.command, self.path[len(prefix) :] or "/", body=body or None, headers=headers)
                resp = conn.getresponse()
                self.send_response(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.end_headers()
                while chunk := resp.read1(65536):
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except (OSError, http.client.HTTPException):
                pass  # the browser or the app went away mid-stream (an open event stream at shutdown)
            finally:
                conn.close()

        do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = _forward  # noqa: N815

    server = _PrefixProxy(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, name="prefix-proxy", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"


@pytest.fixture(scope="session")
def proxied_app(web_home: Path, model_cache: Path) -> Iterator[WebApp]:
    """A second server, behind a reverse proxy under /styrdok and with no staff password (staff functions off)."""
    home = web_home.with_name(web_home.name + "-kopia")
    app = start_server(home, model_cache, "--root-path", "/styrdok", env={"STYRDOK_ADMIN_PASSWORD": ""})
    proxy, url = start_prefix_proxy("/styrdok", int(app.url.rsplit(":", 1)[1]))
    try:
        yield WebApp(url, app.home, app.log, app.proc)
    finally:
        proxy.shutdown()
        stop_server(app)
