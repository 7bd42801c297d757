"""Regenerate the README's screenshots of the search page (desktop and a 390 px phone).

Builds the demo archive from corpus/sample in a temporary folder, serves it on 127.0.0.1,
and photographs it with the Chromium the browser tests use (``/usr/bin/chromium``, or
``$VNARCHIVE_CHROMIUM``).  Run ``make screenshots``; the files go to tests/system/img/.
"""
from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "img"
CHROMIUM = os.environ.get("VNARCHIVE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
QUERY = "/?q=gi%E1%BA%A3m+ngh%C3%A8o"
SHOTS = {"search-desktop.png": {"width": 1280, "height": 1000},
         "search-phone.png": {"width": 390, "height": 844}}


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from indexer import ingest_paths
    from web import create_app

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        report = ingest_paths([ROOT / "corpus" / "sample"], Path(tmp) / "data", workers=1)
        print(f"demo archive: {report.stored} articles")
        srv = make_server("127.0.0.1", 0, create_app({"DATA_DIR": str(Path(tmp) / "data")}))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{srv.server_port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for name, viewport in SHOTS.items():
                    ctx = browser.new_context(viewport=viewport, locale="vi-VN",
                                              is_mobile=viewport["width"] < 500)
                    page = ctx.new_page()
                    page.goto(base + QUERY)
                    page.screenshot(path=str(OUT / name))
                    print(f"wrote {OUT / name}")
                    ctx.close()
                browser.close()
        finally:
            srv.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
