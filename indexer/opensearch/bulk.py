"""Parallel bulk indexing with back-pressure and retries (entry point: ``BulkFeeder``).

Documents are cut into bulk requests of ``chunk`` documents, sent by ``threads`` threads.
The queue between the producer (reading the store) and the senders holds at most two
requests per thread, so a slow cluster slows the reader down instead of filling memory.
A whole request that fails with 429, 5xx or a lost connection is sent again after a
growing pause; so is every item of a response that failed, on its own.  An item still
failing after ``retries`` attempts is kept in ``failures`` with its reason, so the caller
reports it: nothing is dropped silently.
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from indexer.opensearch.producer import encode

__all__ = ["BulkFeeder", "BulkReport", "BulkFailed"]

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class BulkFailed(RuntimeError):
    """Some documents could not be indexed after every retry."""

    def __init__(self, report: "BulkReport") -> None:
        first = "; ".join(f"{i}: {r}" for i, r in report.failures[:5])
        super().__init__(f"{len(report.failures)} documents not indexed ({first})")
        self.report = report


@dataclass
class BulkReport:
    indexed: int = 0
    retried: int = 0          # item or request retries
    failures: list[tuple[str, str]] = field(default_factory=list)  # (doc id, reason)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0


class BulkFeeder:
    """Feeds (id, source or ready bulk lines) pairs into ``index`` through ``client.bulk``."""

    def __init__(self, client, index: str, *, threads: int = 2, chunk: int = 500,
                 retries: int = 6, backoff: float = 0.5,
                 progress: Callable[[int], None] | None = None,
                 counted: Callable[[str], bool] | None = None) -> None:
        self.client, self.index = client, index
        self.threads, self.chunk, self.retries, self.backoff = threads, chunk, retries, backoff
        self.progress = progress
        # which ids ``indexed`` and ``progress`` count (articles, not the stats documents
        # sent alongside them); every id is retried and reported alike
        self.counted = counted or (lambda doc_id: True)
        self.report = BulkReport()
        self._lock = threading.Lock()

    def feed(self, docs: Iterable[tuple[str, dict[str, Any]]]) -> BulkReport:
        """Index every document; returns the report (``failures`` empty when all went in)."""
        started = time.perf_counter()
        work: queue.Queue = queue.Queue(maxsize=2 * self.threads)  # back-pressure
        errors: list[BaseException] = []
        senders = [threading.Thread(target=self._sender, args=(work, errors), daemon=True)
                   for _ in range(self.threads)]
        for t in senders:
            t.start()
        try:
            batch: list[tuple[str, dict]] = []
            for doc in docs:
                batch.append(doc)
                if len(batch) >= self.chunk:
                    _put(work, batch, errors)
                    batch = []
            if batch:
                _put(work, batch, errors)
        finally:
            for _ in senders:
                work.put(None)
            for t in senders:
                t.join()
        self.report.seconds += time.perf_counter() - started
        if errors:
            raise errors[0]
        return self.report

    def _sender(self, work: queue.Queue, errors: list[BaseException]) -> None:
        while True:
            batch = work.get()
            if batch is None:
                return
            if errors:  # another sender hit an unexpected error: drain without sending
                continue
            try:
                self._send(batch)
            except BaseException as exc:  # reported by feed(), never swallowed
                errors.append(exc)

    def _send(self, batch: list[tuple[str, dict]]) -> None:
        pending = batch
        reasons: dict[str, str] = {}
        for attempt in range(self.retries + 1):
            if attempt:
                with self._lock:
                    self.report.retried += len(pending)
                time.sleep(self.backoff * 2 ** (attempt - 1))
            # a document comes as its source or as its ready bulk lines (``producer``)
            body = b"".join(src if isinstance(src, bytes) else encode(self.index, i, src)
                            for i, src in pending)
            status, items = self._request(body)
            if items is None:  # the whole request failed with a retryable status
                reasons = {i: f"HTTP {status}" for i, _ in pending}
                continue
            failed, done = [], 0
            for (doc_id, src), item in zip(pending, items):
                result = item.get("index", {})
                code = int(result.get("status", 500))
                if code < 300:
                    done += self.counted(doc_id)
                    continue
                reasons[doc_id] = _reason(result)
                if code in RETRY_STATUS:
                    failed.append((doc_id, src))
                else:  # a document the index refuses: retrying cannot help, report it
                    with self._lock:
                        self.report.failures.append((doc_id, reasons[doc_id]))
            with self._lock:
                self.report.indexed += done
            if self.progress and done:
                self.progress(done)
            pending = failed
            if not pending:
                return
        with self._lock:
            self.report.failures.extend((i, reasons.get(i, "unknown")) for i, _ in pending)

    def _request(self, body: str) -> tuple[int, list | None]:
        """(status, items) of one bulk request; items None when the whole request should
        be retried (429, 5xx, connection lost or timed out)."""
        from opensearchpy.exceptions import ConnectionError as OsConnectionError
        from opensearchpy.exceptions import TransportError
        try:
            got = self.client.bulk(body=body)
        except OsConnectionError:
            return 0, None  # reason: "HTTP 0" = connection lost
        except TransportError as exc:
            code = exc.status_code if isinstance(exc.status_code, int) else 0
            if code in RETRY_STATUS or code == 0:
                return code, None
            raise
        return 200, got.get("items", [])


def _put(work: queue.Queue, batch: list, errors: list[BaseException]) -> None:
    if errors:
        raise errors[0]
    work.put(batch)  # blocks while the senders are behind


def _reason(result: dict[str, Any]) -> str:
    err = result.get("error") or {}
    if isinstance(err, dict):
        return f"{err.get('type', 'error')}: {err.get('reason', '')}"[:300]
    return str(err)[:300]
