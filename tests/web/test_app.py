"""The app factory: one app per data dir, and one error shape per surface."""
from __future__ import annotations

import pytest

from web import create_app


@pytest.mark.parametrize("path, json_api", [("/api/boom", True), ("/boom", False)])
def test_an_unexpected_error_is_a_500_that_leaks_nothing(archive_dir, path, json_api):
    app = create_app({"DATA_DIR": str(archive_dir)})

    @app.get(path)
    def boom():
        raise RuntimeError("kaboom")

    r = app.test_client().get(path)
    assert r.status_code == 500 and "kaboom" not in r.get_data(as_text=True)
    if json_api:
        assert r.get_json()["error"]["code"] == "internal_error"
    else:
        assert r.mimetype == "text/html" and "Lỗi máy chủ" in r.get_data(as_text=True)


def test_each_app_has_its_own_data_dir(archive_dir, tmp_path):
    a = create_app({"DATA_DIR": str(archive_dir)})
    b = create_app({"DATA_DIR": str(tmp_path)})
    assert a.extensions["vnarchive"] is not b.extensions["vnarchive"]
    assert a.test_client().get("/api/stats").status_code == 200
    assert b.test_client().get("/api/stats").status_code == 503
