"""A cached model is built once per identical inputs, and a failing cache never changes it."""
from __future__ import annotations

from pathlib import Path

from indexer.analysis import crfseg
from indexer.analysis.modelcache import cache_dir, cached


def _builder(calls: list[int], inputs: list[Path]):
    def build() -> dict[str, str]:
        calls.append(1)
        return {p.name: p.read_text() for p in inputs}
    return build


def test_the_second_call_reads_what_the_first_built(tmp_path, monkeypatch):
    monkeypatch.setenv("VNARCHIVE_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "weights.txt"
    data.write_text("một hai")
    calls: list[int] = []
    first = cached("m", [data], _builder(calls, [data]))
    second = cached("m", [data], _builder(calls, [data]))
    assert first == second == {"weights.txt": "một hai"}
    assert calls == [1]
    assert len(list(cache_dir().glob("m-*.pickle"))) == 1


def test_changed_inputs_are_built_again(tmp_path, monkeypatch):
    monkeypatch.setenv("VNARCHIVE_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "weights.txt"
    data.write_text("một hai")
    calls: list[int] = []
    cached("m", [data], _builder(calls, [data]))
    data.write_text("ba bốn")
    assert cached("m", [data], _builder(calls, [data])) == {"weights.txt": "ba bốn"}
    assert calls == [1, 1]


def test_a_damaged_entry_is_built_and_rewritten(tmp_path, monkeypatch):
    monkeypatch.setenv("VNARCHIVE_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "weights.txt"
    data.write_text("một hai")
    calls: list[int] = []
    cached("m", [data], _builder(calls, [data]))
    [entry] = cache_dir().glob("m-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert cached("m", [data], _builder(calls, [data])) == {"weights.txt": "một hai"}
    assert cached("m", [data], _builder(calls, [data])) == {"weights.txt": "một hai"}
    assert calls == [1, 1]


def test_an_unwritable_cache_still_gives_the_model(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("VNARCHIVE_CACHE_DIR", str(blocker / "cache"))  # under a file
    data = tmp_path / "weights.txt"
    data.write_text("một hai")
    calls: list[int] = []
    assert cached("m", [data], _builder(calls, [data])) == {"weights.txt": "một hai"}
    assert cached("m", [data], _builder(calls, [data])) == {"weights.txt": "một hai"}
    assert calls == [1, 1]


def test_the_cached_segmenter_model_tags_as_the_built_one(tmp_path, monkeypatch):
    from underthesea.pipeline import word_tokenize as wt
    from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize
    monkeypatch.setenv("VNARCHIVE_CACHE_DIR", str(tmp_path / "cache"))
    model_dir = Path(wt.__file__).parent / "models" / "ws_crf_vlsp2013_20230727"
    inputs = sorted(model_dir.glob("*.bin"))
    built = cached("crfseg", inputs, lambda: crfseg.CRFModel(model_dir))
    read = cached("crfseg", inputs, lambda: None)  # must not build: None would fail below
    assert read is not None and read is not built
    for s in ("Chương trình mục tiêu quốc gia giảm nghèo bền vững tại Long An",
              "Phó chủ tịch UBND tỉnh Gia Lai Trần Văn K cho biết ngày 8/11/2024."):
        tokens = tokenize(s, use_token_normalize=True, fixed_words=[])
        assert read.tag(tokens) == built.tag(tokens) == built.tag(tokens, exact=True)
