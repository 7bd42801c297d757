"""A faster drop-in for ``underthesea.word_tokenize``: the very same output, ~3x faster.

underthesea builds 43 feature strings per token (``'T[-1,0].lower=chương trình'``) for its Rust
CRF tagger; that is most of its time.  Every feature reads one token, a pair or a triple at a
fixed offset, so this module reads the CRFsuite model itself and caches, per pair of tokens,
the summed weights of all features the n-grams starting there produce; a token then costs a
few dict hits and additions, then a 2-label Viterbi.  Exactness: underthesea's regex
``tokenize`` (through ``indexer.analysis.regextok``: the same tokens, faster); features exactly as
underthesea_core makes them (Rust ``to_lowercase``; ``isdigit`` = parses as i32;
``istitle`` = each space-separated part starts with a char equal to its upper case;
``is_in_dict`` looks up the lower-cased joined text; a ':' is not a weight);
when a Viterbi decision is within ``_TIE`` of a tie, the sentence is re-scored with Rust's
summation order and tie-breaking.

>>> word_tokenize("Chương trình mục tiêu quốc gia tại Long An")
['Chương trình', 'mục tiêu', 'quốc gia', 'tại', 'Long An']
"""
from __future__ import annotations

import logging
import pickle
import re
import struct
from itertools import compress, islice, product, repeat
from operator import add, getitem, is_, itemgetter, lt, sub
from pathlib import Path
from typing import Any, Callable

__all__ = ["word_tokenize", "load_model", "use_model", "CRFModel", "viterbi", "fast_viterbi"]

log = logging.getLogger(__name__)

_MODEL_DIR = "ws_crf_vlsp2013_20230727"
_TEMPLATE = re.compile(r"T\[(?P<i1>-?\d+)(,(?P<i2>-?\d+))?](\[(?P<col>.*)])?(\.(?P<fn>.*))?")
_I32 = re.compile(r"[+-]?[0-9]+")          # what Rust's str::parse::<i32> accepts (plus range)
_BOS, _EOS = object(), object()             # padding: never equal to a real token
_TIE = 1e-6                                 # far above float error, far below real margins
_CACHE_MAX = 100_000                        # entries per cache: ~60 MB at most


def _cqdb_strings(buf: bytes, off: int, count: int) -> list[str]:
    """Strings of a CRFsuite CQDB, in the order underthesea_core assigns ids (backward table
    order, empty slots skipped, duplicates keep their first id)."""
    magic, _size, _flag, _order, bwd_size, bwd_off = struct.unpack_from("<4sIIIII", buf, off)
    if magic != b"CQDB":
        raise ValueError("no CQDB at %d" % off)
    n = min(count, bwd_size)
    seen: dict[str, int] = {}
    for entry in struct.unpack_from("<%dI" % n, buf, off + bwd_off):
        if entry:
            _sid, ksize = struct.unpack_from("<II", buf, off + entry)
            key = buf[off + entry + 8: off + entry + 8 + ksize].split(b"\0", 1)[0]
            seen.setdefault(key.decode("utf-8", "replace"), len(seen))
    return list(seen)


class CRFModel:
    """CRFsuite weights + underthesea feature templates + dictionary, tagging 2 labels."""

    def __init__(self, model_dir: Path) -> None:
        buf = (model_dir / "models.bin").read_bytes()
        (magic, _size, mtype, _ver, n_feat, n_labels, n_attrs, off_feat, off_labels,
         off_attrs, _lrefs, _arefs) = struct.unpack_from("<4sI4sIIIIIIIII", buf, 0)
        if magic != b"lCRF" or mtype != b"FOMC":
            raise ValueError("not a CRFsuite 1st-order model")
        self.labels = _cqdb_strings(buf, off_labels, n_labels)
        if self.labels != ["B-W", "I-W"]:
            raise ValueError("unexpected labels %r" % self.labels)
        attrs = _cqdb_strings(buf, off_attrs, n_attrs)
        fmagic, _csize, n_chunk = struct.unpack_from("<4sII", buf, off_feat)
        if fmagic != b"FEAT":
            raise ValueError("no FEAT chunk")
        state: dict[tuple[int, int], float] = {}
        trans = [[0.0, 0.0], [0.0, 0.0]]
        for ftype, src, dst, w in struct.iter_unpack(
                "<IIId", buf[off_feat + 12: off_feat + 12 + 20 * (n_chunk or n_feat)]):
            if ftype == 0:  # underthesea_core drops |w| <= 1e-10 and lets later ones win
                if abs(w) > 1e-10:
                    state[(src, dst)] = w
                else:
                    state.pop((src, dst), None)
            elif ftype == 1 and src < 2 and dst < 2:
                trans[src][dst] = w
        self.weights: dict[str, tuple[float, float]] = {}
        for (src, dst), w in state.items():
            if src < len(attrs) and dst < 2:
                pair = self.weights.get(attrs[src], (0.0, 0.0))
                self.weights[attrs[src]] = (w, pair[1]) if dst == 0 else (pair[0], w)
        self.trans = trans
        self.dictionary: set[str] = _unpickle(model_dir / "dictionary.bin")
        self.templates: list[tuple[str, int, int, str | None]] = []
        for syntax in _unpickle(model_dir / "features.bin"):
            m = _TEMPLATE.search(syntax)
            i1 = int(m["i1"]) if m else 0
            i2 = int(m["i2"]) if m and m["i2"] else i1
            if m is None or i2 < i1:  # templates this module does not model: use underthesea
                raise ValueError("template %r" % syntax)
            self.templates.append((syntax, i1, i2, m["fn"]))
        self.pad = max(max(-t[1], t[2]) for t in self.templates)
        self._plan()

    def _plan(self) -> None:
        """Per n-gram width, B-minus-I weight vectors indexed by target token (entry j: the
        token pad - offset after the n-gram's start): for BOS, EOS, each combination of the
        boolean functions, and each known text / lower-cased text."""
        by_syntax: dict[str, dict[str, float]] = {}
        for attr, (wb, wi) in self.weights.items():
            syntax, _eq, value = attr.partition("=")
            by_syntax.setdefault(syntax, {})[value] = wb - wi
        self.plans: dict[int, _Plan] = {}
        for _syntax, i1, i2, fn in self.templates:
            plan = self.plans.setdefault(i2 - i1, _Plan())
            if fn in _FLAGS and fn not in plan.flag_fns:
                plan.flag_fns.append(fn)
        k = 2 * self.pad + 1
        self.zero = (0.0,) * k
        for syntax, i1, i2, fn in self.templates:
            plan, values, idx = self.plans[i2 - i1], by_syntax.get(syntax, {}), self.pad - i1
            plan.add(plan.bos, (), idx, k, values.get("BOS", 0.0))
            plan.add(plan.eos, (), idx, k, values.get("EOS", 0.0))
            if fn in _FLAGS:
                at = plan.flag_fns.index(fn)
                for flags in product((False, True), repeat=len(plan.flag_fns)):
                    plan.add(plan.base, flags, idx, k,
                             values.get("True" if flags[at] else "False", 0.0))
            else:  # Rust leaves the text as it is for functions it does not know
                for value, d in values.items():
                    plan.add(plan.lower if fn == "lower" else plan.plain, value, idx, k, d)
        self.width = max(self.plans)
        if not self.width:
            raise ValueError("no multi-token template")
        for width in range(self.width + 1):  # a width without templates adds nothing
            plan = self.plans.setdefault(width, _Plan())
            for table in (plan.base, plan.bos, plan.eos):
                table.setdefault((), self.zero)
        top = self.plans[self.width]  # "x y" -> {"z": ...}: widest n-grams by prefix + last
        self.conts = [_continuations(t, self.width) for t in
                      (top.plain, top.lower, dict.fromkeys(self.dictionary, True))]
        self.top_base = [top.base[tuple(fn == "istitle" and t for fn in top.flag_fns)]
                         for t in (False, True)]  # by the title of a widest n-gram
        self.prefixes: dict[tuple[str, ...], tuple[Any, ...]] = {}
        self.bos_all, self.eos_all = (self._narrow((pad,) * (self.width + 1), self.width + 1)
                                      for pad in (_BOS, _EOS))
        self.titles: dict[str, int] = {}
        self.small: dict[tuple[Any, ...], tuple[float, ...]] = {}

    # -- features exactly as underthesea_core's CRFFeaturizer --------------------------
    def _value(self, grams: tuple[Any, ...], fn: str | None) -> str:
        if grams[0] is _BOS:  # Rust tests the first index, then the last
            return "BOS"
        if grams[0] is _EOS or grams[-1] is _EOS:
            return "EOS"
        text = " ".join(grams)
        if fn in _FLAGS:
            return str(self._flag(fn, text, text.lower()))
        return text.lower() if fn == "lower" else text

    def _flag(self, fn: str, text: str, low: str) -> bool:
        if fn == "is_in_dict":
            return low in self.dictionary
        if fn == "istitle":
            for part in text.split(" "):
                if not part:  # Rust unwraps the first char and would panic here
                    raise ValueError("empty token part")
                if part[0] != part[0].upper():
                    return False
            return True
        return bool(_I32.fullmatch(text)) and -2**31 <= int(text) < 2**31

    def features(self, tokens: list[str], i: int) -> list[str]:
        """The feature strings of token ``i``, in template order (for exact scoring, tests)."""
        padded, p = [_BOS] * self.pad + tokens + [_EOS] * self.pad, self.pad + i
        return [syntax + "=" + self._value(tuple(padded[p + i1: p + i2 + 1]), fn)
                for syntax, i1, i2, fn in self.templates]

    # -- fast scoring ----------------------------------------------------------------
    def _ngram(self, width: int, key: tuple[Any, ...]) -> tuple[float, ...]:
        """What one n-gram's features add to each target token."""
        plan = self.plans[width]
        if key[0] is _BOS:
            return plan.bos[()]
        if key[0] is _EOS or key[-1] is _EOS:
            return plan.eos[()]
        text = " ".join(key)
        return self._text_vec(plan, text, text.lower())

    def _text_vec(self, plan: _Plan, text: str, low: str, title: bool | None = None
                  ) -> tuple[float, ...]:
        vec = plan.base[tuple([title if fn == "istitle" and title is not None else
                               self._flag(fn, text, low) for fn in plan.flag_fns])]
        for extra in (plan.plain.get(text), plan.lower.get(low)):
            if extra:
                vec = tuple(map(add, vec, extra))
        return vec

    def _narrow(self, key: tuple[Any, ...], upto: int) -> tuple[float, ...]:
        """Sum of the n-grams of widths < ``upto`` starting at ``key[0]`` (few: cached)."""
        vec = None
        for width in range(upto):
            sub = key[:width + 1]
            if sub[0] is _BOS or sub[-1] is _EOS:
                part = self._ngram(width, sub)
            else:
                part = self.small.get(sub)
                if part is None:
                    _trim(self.small)
                    part = self.small[sub] = self._ngram(width, sub)
            vec = part if vec is None else tuple(map(add, vec, part))
        return vec or self.zero

    def _prefix(self, pre: tuple[str, ...]) -> tuple[Any, ...]:
        """For the first ``width`` tokens of a widest n-gram (no padding): the vectors of all
        n-grams starting there when the last token is not / is title-cased, and, if a widest
        n-gram with this prefix can be a known text or dictionary word, what to check."""
        text = " ".join(pre)
        low = text.lower()
        title = self._flag("istitle", text, low)
        vec = tuple(map(add, self._text_vec(self.plans[self.width - 1], text, low, title),
                        self._narrow(pre, self.width - 1)))
        # text + " " + last: isdigit is False (a space), istitle = title and last's title
        plain, lower, indict = self.conts[0].get(text), self.conts[1].get(low), \
            self.conts[2].get(low)
        special = (vec, title, plain, lower, indict) if plain or lower or indict else None
        if_not = tuple(map(add, vec, self.top_base[False]))
        return if_not, tuple(map(add, vec, self.top_base[True])) if title else if_not, special

    def _special(self, special: tuple[Any, ...], last: str) -> tuple[float, ...]:
        narrow, title, plain, lower, indict = special
        top, low = self.plans[self.width], last.lower()
        flags = tuple(title and self._flag(fn, last, low) if fn == "istitle" else
                      fn == "is_in_dict" and indict is not None and low in indict
                      for fn in top.flag_fns)
        vec = tuple(map(add, narrow, top.base[flags]))
        for extra in (plain and plain.get(last), lower and lower.get(low)):
            if extra:
                vec = tuple(map(add, vec, extra))
        return vec

    def _diffs(self, tokens: list[str]) -> list[float]:
        """Per token, emission(B) - emission(I), from cached per-start vectors."""
        n, pad, w = len(tokens), self.pad, self.width
        padded = [_BOS] * pad + tokens + [_EOS] * (pad + w)
        lo, hi = pad, max(pad, n + pad - w)  # starts [lo, hi) touch no padding
        pres = list(zip(*(padded[lo + k: hi + k] for k in range(w))))
        infos = list(map(self.prefixes.get, pres))
        if None in infos:
            _trim(self.prefixes)
            for j in compress(range(len(infos)), map(is_, infos, repeat(None))):
                infos[j] = self.prefixes[pres[j]] = self._prefix(pres[j])
        lasts = padded[lo + w: hi + w]
        titles = list(map(self.titles.get, lasts))
        if None in titles:
            for j in compress(range(len(titles)), map(is_, titles, repeat(None))):
                _trim(self.titles)
                titles[j] = self.titles[lasts[j]] = int(self._flag("istitle", lasts[j], ""))
        vals = list(map(getitem, infos, titles))
        for j in compress(range(len(infos)), map(itemgetter(2), infos)):
            vals[j] = self._special(infos[j][2], lasts[j])
        # starts touching padding: BOS first means BOS for all widths, EOS first EOS for all
        right = [self._narrow(tuple(padded[s: s + w + 1]), w + 1) if s < n + pad else
                 self.eos_all for s in range(hi, n + 2 * pad)]
        vals = [self.bos_all] * lo + vals + right
        # token i gets entry j of the vector of the n-grams starting at i + 2*pad - j
        total: Any = map(itemgetter(0), vals[2 * pad: 2 * pad + n])
        for j in range(1, 2 * pad + 1):
            total = map(add, total, map(itemgetter(j), vals[2 * pad - j: 2 * pad - j + n]))
        return list(total)

    def _exact_emissions(self, tokens: list[str]) -> tuple[list[float], list[float]]:
        """Emissions summed in underthesea_core's order (template order, unknowns skipped)."""
        em_b, em_i = [], []
        for i in range(len(tokens)):
            b = j = 0.0
            for f in self.features(tokens, i):
                w = self.weights.get(f)
                if w is not None:
                    b += w[0]
                    j += w[1]
            em_b.append(b)
            em_i.append(j)
        return em_b, em_i

    def tag(self, tokens: list[str], exact: bool = False) -> list[bool]:
        """True where a token continues the previous word (label I-W)."""
        if not tokens:
            return []
        path = None if exact else fast_viterbi(self._diffs(tokens), self.trans)
        if path is None:  # a near tie: decide it exactly as the Rust tagger would
            path = viterbi(*self._exact_emissions(tokens), self.trans)
        return path


_FLAGS = ("isdigit", "istitle", "is_in_dict")


class _Plan:
    """Weight vectors, indexed by target token, of the templates reading one n-gram width."""

    def __init__(self) -> None:
        self.flag_fns: list[str] = []
        self.bos: dict[Any, tuple[float, ...]] = {}
        self.eos: dict[Any, tuple[float, ...]] = {}
        self.base: dict[Any, tuple[float, ...]] = {}
        self.plain: dict[Any, tuple[float, ...]] = {}
        self.lower: dict[Any, tuple[float, ...]] = {}

    @staticmethod
    def add(table: dict[Any, tuple[float, ...]], key: Any, idx: int, k: int, d: float) -> None:
        vec = list(table.get(key, (0.0,) * k))
        vec[idx] += d
        table[key] = tuple(vec)


def _unpickle(path: Path) -> Any:
    """underthesea's joblib dumps of a set / list are plain pickles: the C unpickler reads
    them ~5x faster than joblib's Python one; anything else goes through joblib."""
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except Exception:
        import joblib
        return joblib.load(path)


def _trim(cache: dict[Any, Any]) -> None:
    """Bound memory: past _CACHE_MAX entries forget the older half (dicts keep insertion
    order), keeping what recent articles used.  pop: another thread may trim too."""
    if len(cache) > _CACHE_MAX:
        for key in list(islice(cache, len(cache) // 2)):
            cache.pop(key, None)


def _continuations(table: dict[str, Any], width: int) -> dict[str, dict[str, Any]]:
    """Values that can be ``width`` + 1 tokens joined by spaces, split at every space that
    leaves at least ``width`` tokens before it (tokens may hold spaces themselves)."""
    out: dict[str, dict[str, Any]] = {}
    for value, x in table.items():
        i = value.find(" ")
        while i >= 0:
            if value.count(" ", 0, i) >= width - 1:
                out.setdefault(value[:i], {})[value[i + 1:]] = x
            i = value.find(" ", i + 1)
    return out


def viterbi(em_b: list[float], em_i: list[float], t: list[list[float]]) -> list[bool]:
    """underthesea_core's 2-label Viterbi, same sums, same ties (strict '>', label 0 first)."""
    (tbb, tbi), (tib, tii) = t
    sb, si = em_b[0], em_i[0]
    back: list[tuple[bool, bool]] = []
    for eb, ei in zip(islice(em_b, 1, None), islice(em_i, 1, None)):
        a, c, x, y = sb + tbb, si + tib, sb + tbi, si + tii
        back.append((c > a, y > x))
        sb, si = (c if c > a else a) + eb, (y if y > x else x) + ei
    return _backtrack(si > sb, back)


def fast_viterbi(diffs: list[float], t: list[list[float]]) -> list[bool] | None:
    """The same decisions from d = score(B) - score(I) alone (shifting both labels' scores
    by one constant changes no decision); None if any decision is within _TIE of a tie."""
    (tbb, tbi), (tib, tii) = t
    k_b, k_i = tib - tbb, tii - tbi  # the previous label is I when d < k
    d = diffs[0]
    ds = [d]
    for e in islice(diffs, 1, None):
        d = (d + tbb if d > k_b else tib) - (d + tbi if d > k_i else tii) + e
        ds.append(d)
    last = ds.pop()
    if ds and (min(map(abs, map(sub, ds, repeat(k_b)))) < _TIE
               or min(map(abs, map(sub, ds, repeat(k_i)))) < _TIE) or abs(last) < _TIE:
        return None
    return _backtrack(last < 0, list(zip(map(lt, ds, repeat(k_b)), map(lt, ds, repeat(k_i)))))


def _backtrack(label: bool, back: list[tuple[bool, bool]]) -> list[bool]:
    path = [label]
    for to_b, to_i in reversed(back):
        label = to_i if label else to_b
        path.append(label)
    path.reverse()
    return path


_model: CRFModel | None | bool = None  # None: not loaded yet; False: unreadable, use fallback
_tokenize: Callable[..., list[str]] | None = None
_failed = False  # logged once


def _load(model_dir: Path) -> CRFModel:
    """The model's tables built once per model and version of this module, then unpickled
    from the user's cache (``indexer.analysis.modelcache``): ~0.15 s instead of ~0.8 s."""
    from indexer.analysis import modelcache
    inputs = [model_dir / n for n in ("models.bin", "dictionary.bin", "features.bin")]
    inputs.append(Path(__file__))  # the tables' layout is this module's
    return modelcache.cached("crfseg", inputs, lambda: CRFModel(model_dir))


def load_model() -> CRFModel | None:
    """The model of this process, loaded once (a forked child inherits it); None if the
    installed underthesea ships a model this module cannot read."""
    global _model, _tokenize
    if _model is None:
        from underthesea.pipeline import word_tokenize as wt

        from indexer.analysis.regextok import tokenize
        _tokenize = tokenize
        try:
            _model = _load(Path(wt.__file__).parent / "models" / _MODEL_DIR)
        except Exception as exc:  # format changed: stay correct through underthesea itself
            log.warning("crfseg: cannot read the underthesea model (%s); using underthesea", exc)
            _model = False
    return _model or None


def use_model(enabled: bool) -> None:
    """Segment with this module's model (ingest: fast) or with underthesea itself (a
    server segments a few words a query and keeps ~60 MB less).  Same words either way."""
    global _model
    if not enabled:
        _model = False
    elif _model is False:
        _model = None  # load (again) on next use


def word_tokenize(sentence: str) -> list[str]:
    """Exactly ``underthesea.word_tokenize(sentence)``: words with syllables joined by ' '."""
    global _failed
    model = load_model()
    if model is not None:
        assert _tokenize is not None
        tokens = _tokenize(sentence)
        try:
            tags = model.tag(tokens)
        except Exception as exc:  # a bug of ours must not stop ingestion: ask underthesea
            if not _failed:
                log.warning("crfseg: %r on %r; using underthesea there", exc, sentence[:200])
            _failed = True
        else:
            out: list[str] = []
            for token, inside in zip(tokens, tags):
                if inside and out:
                    out[-1] = out[-1] + " " + token
                else:
                    out.append(token)
            return out
    from underthesea import word_tokenize as slow
    return slow(sentence)
