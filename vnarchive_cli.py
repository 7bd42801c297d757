"""The ``vnarchive`` command: a thin Click layer over archive/, indexer/ and web/.

Library errors become one-line ``click.ClickException`` messages at this edge.  The CLI
speaks English (help, messages, labels); the article data it prints stays as published.

Exit codes (also in the README and in ``vnarchive --help``):

  0  success
  1  error: no archive, index busy, cannot listen, bad query, ...
  2  usage error (Click's): unknown option, bad value such as --year abc
  3  ingest/reclean: some items failed, the others were stored
  4  ingest/reclean: every item failed, nothing was stored
"""
from __future__ import annotations

import json
import os
import sys
from contextlib import closing, contextmanager
from pathlib import Path

import click

import html as html_mod
from datetime import date

__all__ = ["main", "cli"]

DATA_DIR_HELP = "Archive directory [env VNARCHIVE_DATA_DIR, default ./data]."


# -- exit codes, progress, reports and results as text (English) -----------------------
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_SOME_FAILED, EXIT_ALL_FAILED = 0, 1, 2, 3, 4


def progress_bar(total: int | None, label: str):
    """A progress bar on stderr (only on a terminal); with a total it shows the ETA."""
    from tqdm import tqdm
    return tqdm(total=total, desc=label, unit=" items", disable=None, file=sys.stderr,
                mininterval=0.5, smoothing=0.1)


def exit_for(report) -> None:
    """Exit 3 when some items failed, 4 when all did (nothing stored)."""
    if report.failed and report.stored == 0:
        click.echo("error: nothing was ingested", err=True)
        sys.exit(EXIT_ALL_FAILED)
    if report.failed:
        sys.exit(EXIT_SOME_FAILED)


def strip_marks(html: str) -> str:
    return html_mod.unescape(html.replace("<mark>", "[").replace("</mark>", "]"))


def print_results(res: dict) -> None:
    click.echo(f"{res['total']} results ({res['took_ms']:.0f} ms)"
               + (f" — relaxed match ({res['fallback']}): nothing matched exactly as typed"
                  if res["fallback"] else ""))
    if res.get("suggestion"):
        click.echo(f"Did you mean: {res['suggestion']}")
    start = (res["page"] - 1) * res["per_page"]
    for i, hit in enumerate(res["results"], start + 1):
        day = (hit["published"] or "")[:10] or "undated"
        click.secho(f"{i:>3}. {hit['title']}", bold=True)
        click.echo(f"     {hit['site']} · {day} · id {hit['id']} · {hit['url']}")
        if hit["snippet"]:
            click.echo(f"     {strip_marks(hit['snippet'])}")
    for name, label in (("province", "Province"), ("province_2025", "Province (2025 borders)"),
                        ("official", "Official"), ("program", "Programme"),
                        ("site", "Site"), ("year", "Year"), ("author", "Author"),
                        ("section", "Section"), ("tag", "Tag")):
        values = res["facets"].get(name) or []
        if values:
            shown = ", ".join(f"{v['value']} ({v['count']})" + ("*" if v["selected"] else "")
                              for v in values)
            click.echo(f"{label}: {shown}")


# -- search options, the request, JSON errors for --json ------------------------------
def parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint=name) from None


def _years(ctx, param, values: tuple[str, ...]) -> tuple[str, ...]:
    for v in values:
        if not (len(v) == 4 and v.isdigit()):
            raise click.BadParameter(f"{v!r} is not a year (four digits, e.g. 2024)")
    return values


class JsonErrors(click.Command):
    """With ``--json``, errors are JSON too: ``{"error": {"code", "message"}}`` on stdout
    (exit 2 for usage errors, 1 for the others), so a script parses every outcome."""

    def make_context(self, info_name, args, parent=None, **extra):
        wants_json = "--json" in args
        try:
            return super().make_context(info_name, list(args), parent=parent, **extra)
        except click.UsageError as exc:
            if wants_json:
                json_error("usage_error", exc.format_message(), EXIT_USAGE)
            raise

    def invoke(self, ctx):
        if ctx.params.get("as_json"):
            try:
                return super().invoke(ctx)
            except click.UsageError as exc:
                json_error("usage_error", exc.format_message(), EXIT_USAGE)
            except click.ClickException as exc:
                json_error("error", exc.format_message(), EXIT_ERROR)
            except Exception as exc:
                code = getattr(exc, "code", "error")
                json_error(code if isinstance(code, str) else "error", str(exc), EXIT_ERROR)
        return super().invoke(ctx)


def json_error(code: str, message: str, status: int) -> None:
    click.echo(json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False))
    sys.exit(status)


FILTERS = (  # (name, help, example): the page's filters, shared by ``search`` and ``export``
    ("province", "Province as named in the article", "Long An"),
    ("province_2025", "Province within the borders from 1 July 2025", "Tây Ninh"),
    ("official", "Official's full name", "Nguyễn Văn A"), ("program", "Programme label", "OCOP"),
    ("site", "Site host, e.g. thtg.vn", "thtg.vn"), ("author", "Author as in the byline", "Minh Anh"),
    ("section", "The site's section", "Thời sự"), ("tag", "The site's tag", "giảm nghèo"),
    ("year", "Publication year, four digits", "2024"))
EXCLUDE = "not_"  # --not-province "Long An": the page's -province=Long An


def filter_options(f):
    """The filters shared by ``search`` and ``export`` (the page's parameters)."""
    f = click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]),
                     default="relevance", show_default=True)(f)
    f = click.option("--to", "date_to", help="Published on or before YYYY-MM-DD.")(f)
    f = click.option("--from", "date_from", help="Published on or after YYYY-MM-DD.")(f)
    for name, text, example in reversed(FILTERS):
        flag, check = name.replace("_", "-"), _years if name == "year" else None
        shown = f'"{example}"' if " " in example else example
        f = click.option(f"--not-{flag}", EXCLUDE + name, multiple=True, callback=check,
                         help=f"Leave out articles with this --{flag} value (repeatable), "
                              f"e.g. --not-{flag} {shown}.")(f)
        f = click.option("--" + flag, name, multiple=True, callback=check,
                         help=f"{text} (repeatable).")(f)
    return f


def build_request(query: str, opts: dict, **extra):
    from indexer import SearchRequest
    filters = {k: tuple(opts[k]) for k, _, _ in FILTERS if opts.get(k)}
    exclude = {k: tuple(opts[EXCLUDE + k]) for k, _, _ in FILTERS if opts.get(EXCLUDE + k)}
    return SearchRequest(q=query, filters=filters, exclude=exclude,
                         date_from=parse_date(opts["date_from"], "--from"),
                         date_to=parse_date(opts["date_to"], "--to"), sort=opts["sort"], **extra)


def _data_dir_option(f):
    return click.option(
        "--data-dir", type=click.Path(file_okay=False, path_type=Path),
        default=lambda: os.environ.get("VNARCHIVE_DATA_DIR") or "data",
        show_default="./data", help=DATA_DIR_HELP)(f)


def need_archive(data_dir: Path) -> None:
    from archive.datadir import DataDir
    if not DataDir(data_dir).store.exists():
        raise click.ClickException(f"no archive in {data_dir}: run `vnarchive ingest` first")


def library_errors() -> tuple[type[BaseException], ...]:
    """What the libraries raise for a problem the user can act on (each says how)."""
    from archive.store import StoreError
    from indexer import IndexBusy, IndexMissing, NoSpace, SearchError
    return IndexBusy, IndexMissing, NoSpace, StoreError, SearchError, OSError


@contextmanager
def reported():
    """Library errors become one-line messages (exit 1) at this edge, never a traceback."""
    try:
        yield
    except library_errors() as exc:
        raise click.ClickException(str(exc) or type(exc).__name__) from None


def _engine_options(f):
    f = click.option("--opensearch-url", metavar="URL", help="OpenSearch node url(s), "
                     "comma-separated [env VNARCHIVE_OPENSEARCH_URL].")(f)
    return click.option("--engine", type=click.Choice(["embedded", "opensearch"]),
                        default=lambda: os.environ.get("VNARCHIVE_ENGINE") or "embedded",
                        help="Search engine [env VNARCHIVE_ENGINE, default embedded].")(f)


def _feed(data_dir: Path, url: str | None, since: str | None) -> None:
    from indexer import feed_engine  # an ingest's articles (stored ``since``), or all
    try:
        click.echo(feed_engine(data_dir, url, since=since))
    except Exception as exc:  # unreachable cluster, refused documents: one line, exit 1
        raise click.ClickException(str(exc) or type(exc).__name__) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vnarchive")
def cli() -> None:
    """vnarchive — a searchable archive of Vietnamese news.

    \b
    Example:
      vnarchive ingest corpus/sample
      vnarchive search "giảm nghèo" --province "Long An"
      vnarchive serve

    \b
    Exit codes: 0 success, 1 error, 2 usage error,
    3 some ingested items failed, 4 every ingested item failed.
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_data_dir_option
@click.option("--workers", type=click.IntRange(1, 16), default=None,
              help="Worker processes for cleaning and segmentation [default: all cores].")
@click.option("--batch", type=click.IntRange(1, 100000), default=1000, show_default=True,
              help="Articles per commit (a crash loses at most one batch).")
@click.option("--max-page-mb", type=click.FloatRange(0.01, 1024), default=8, show_default=True,
              help="Largest HTML page (file or WARC record, inflated) to clean.")
@click.option("--max-line-mb", type=click.FloatRange(0.01, 1024), default=16,
              show_default=True, help="Longest JSON Lines record (un-gzipped).")
@_engine_options
def ingest(paths: tuple[Path, ...], data_dir: Path, workers: int | None, batch: int,
           max_page_mb: float, max_line_mb: float, engine: str,
           opensearch_url: str | None) -> None:
    """Clean, store and index HTML pages, directories, JSON Lines or WARC files.

    Exits 3 when some items failed (the others are stored), 4 when every item failed.

    \b
    Example:
      vnarchive ingest ../shared/corpus/html/thtg.vn
      vnarchive ingest news.jsonl.gz --data-dir /srv/vnarchive
    """
    from archive.sources import Limits, count_items
    from indexer import ingest_paths, started_at

    limits = Limits(max_page_bytes=int(max_page_mb * 2**20),
                    max_line_bytes=int(max_line_mb * 2**20))
    for p in paths:
        if not p.exists():
            raise click.ClickException(f"{p}: no such file or directory")
    bar = progress_bar(count_items(paths) if sys.stderr.isatty() else None, "ingest")
    since = started_at()
    with reported():
        try:
            report = ingest_paths(paths, data_dir, workers=workers, batch=batch,
                                  progress=bar.update, limits=limits)
        finally:
            bar.close()
    click.echo(report.summary())
    if engine == "opensearch" and report.stored:
        _feed(data_dir, opensearch_url, since)
    exit_for(report)


@cli.command()
@_data_dir_option
@_engine_options
def reindex(data_dir: Path, engine: str, opensearch_url: str | None) -> None:
    """Rebuild the search index from the stored articles, then switch to it atomically.

    The old index keeps serving until the switch.  Cached segmentation is reused.

    \b
    Example:
      vnarchive reindex --data-dir data
    """
    from archive.datadir import DataDir
    from archive.store import Store
    from indexer import reindex as do_reindex

    need_archive(data_dir)
    if engine == "opensearch":
        return _feed(data_dir, opensearch_url, None)
    with reported():
        with Store(DataDir(data_dir).store, readonly=True) as store:
            bar = progress_bar(store.count(), "reindex")
        try:
            count = do_reindex(data_dir, progress=bar.update)
        finally:
            bar.close()
    click.echo(f"reindexed {count} articles")


@cli.command()
@_data_dir_option
def check(data_dir: Path) -> None:
    """Verify store and index and that they agree: exit 0 if so, 1 with each problem.

    \b
    Example:
      vnarchive check --data-dir data
    """
    from indexer.check import check as do_check

    report = do_check(data_dir)
    click.echo(report.summary())
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    if not report.ok:
        sys.exit(1)


@cli.command(cls=JsonErrors)
@click.argument("query", required=False, default="")
@_data_dir_option
@filter_options
@click.option("--page", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--limit", "per_page", type=click.IntRange(1, 100), default=10,
              show_default=True, help="Results per page.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the same JSON as /api/search (errors as {\"error\": ...}).")
@_engine_options
def search(query: str, data_dir: Path, page: int, per_page: int, as_json: bool,
           engine: str, opensearch_url: str | None, **opts) -> None:
    """Search the archive; prints the top results and facet counts.

    \b
    Example:
      vnarchive search "giam ngheo" --province "Long An"
      vnarchive search "giảm nghèo" --not-province "Long An" --not-year 2023
      vnarchive search "nông thôn mới" --json --limit 5
    """
    from indexer import open_engine
    from indexer.generations import outdated

    req = build_request(query, opts, page=page, per_page=per_page)
    try:
        searcher = open_engine(data_dir, engine, opensearch_url)
        try:
            res = searcher.search(req)
        finally:
            searcher.close()
    except library_errors() as exc:
        if as_json:
            json_error(getattr(exc, "code", "no_index"), str(exc), EXIT_ERROR)
        raise click.ClickException(str(exc) or type(exc).__name__) from None
    stale = outdated(data_dir) if engine == "embedded" else None
    if stale:
        click.echo(f"warning: {stale}", err=True)
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False, indent=2))
        return
    print_results(res)


@cli.command()
@click.argument("query", required=False, default="")
@_data_dir_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True, help="CSV (UTF-8, formula-safe) or one JSON object a line.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8", lazy=True),
              default="-", help="File to write [default: standard output].")
@_engine_options
def export(query: str, data_dir: Path, fmt: str, output, engine: str,
           opensearch_url: str | None, **opts) -> None:
    """Write every match (no cap, unlike the web export) as CSV or JSON Lines, streamed.

    Columns are those of /api/export.csv; permalinks point at http://127.0.0.1:5000 unless
    $VNARCHIVE_BASE_URL says where the archive is served.

    \b
    Example:
      vnarchive export "giảm nghèo" --province "Long An" > giam-ngheo.csv
      vnarchive export "giảm nghèo" --not-site thtg.vn --format jsonl
      vnarchive export "nông thôn mới" --format jsonl -o ntm.jsonl
    """
    from indexer import open_engine
    from web.export import csv_lines, export_rows

    req = build_request(query, opts, with_snippets=True)
    base = (os.environ.get("VNARCHIVE_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    with reported():
        searcher = open_engine(data_dir, engine, opensearch_url)
    with reported(), closing(searcher):
        chunks = searcher.export_chunks(req, None, snippets=True)
        rows = export_rows(chunks, lambda aid: f"{base}/articles/{aid}")
        lines = csv_lines(rows, bom=False) if fmt == "csv" else \
            (json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        for text in lines:
            output.write(text)


@cli.command()
@_data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind; the server is read-only, but keep it local unless "
                   "you mean to publish it.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--connection-limit", type=click.IntRange(10, 10000), default=1000,
              show_default=True, help="Open connections accepted at once.")
@click.option("--channel-timeout", type=click.IntRange(1, 3600), default=30,
              show_default=True, help="Seconds of silence before a connection is closed.")
@_engine_options
def serve(data_dir: Path, host: str, port: int, threads: int, connection_limit: int,
          channel_timeout: int, engine: str, opensearch_url: str | None) -> None:
    """Serve the search page and JSON API with waitress.

    \b
    Example:
      vnarchive serve --port 8080
    """
    from web import create_app
    from web.serving import create_server, warm_up

    need_archive(data_dir)
    with reported():  # e.g. the OpenSearch client library is missing
        app = create_app({"DATA_DIR": str(data_dir), "ENGINE": engine,
                          "OPENSEARCH_URL": opensearch_url})
    problem = warm_up(app)
    if problem:
        click.echo(f"warning: {problem}", err=True)
    try:  # bind first: "serving" is printed only once the port is ours
        server = create_server(app, host, port, threads=threads,
                               connection_limit=connection_limit, channel_timeout=channel_timeout)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") \
            from None
    click.echo(f"vnarchive serving {data_dir} on http://{host}:{port}/")
    server.run()


@cli.command()
@click.argument("targets", nargs=-1, required=True)
@_data_dir_option
@click.option("--profiles", "profiles_dir", type=click.Path(file_okay=False, path_type=Path),
              default=lambda: os.environ.get("VNARCHIVE_SITES_DIR")
              or str(Path(__file__).resolve().parent / "corpus" / "sites"),
              show_default=False,
              help="Folder of site profiles (*.toml with a [crawl] table) "
                   "[env VNARCHIVE_SITES_DIR, default: corpus/sites].")
@click.option("--delay", type=click.FloatRange(0, 3600), default=1.0, show_default=True,
              help="Seconds between requests to one host.")
@click.option("--max-pages", type=click.IntRange(1), default=None, help="Stop after this many pages.")
@click.option("--max-mb", type=click.FloatRange(0.1), default=None, help="Stop after this many MB.")
@click.option("--contact-url", default=None, help="Contact URL sent in the User-Agent.")
@click.option("--batch", type=click.IntRange(1, 10000), default=100, show_default=True,
              help="Articles cleaned and indexed together.")
def crawl(targets: tuple[str, ...], data_dir: Path, profiles_dir: Path, delay: float,
          max_pages: int | None, max_mb: float | None, contact_url: str | None,
          batch: int) -> None:
    """Harvest sites politely into WARC files, then clean, store and index the articles.

    TARGETS are site profile names (corpus/sites/NAME.toml), URLs or bare domains.
    Interrupt with Ctrl-C at any time; running it again resumes.

    \b
    Example:
      vnarchive crawl thtg.vn --max-pages 200
      vnarchive crawl https://baomoi.example/ --delay 2
    """
    from archive.crawl.config import CrawlSettings
    from indexer.ingest.harvest import harvest

    settings = CrawlSettings(delay=delay, max_pages=max_pages, profiles_dir=profiles_dir,
                             max_bytes=int(max_mb * 1024 * 1024) if max_mb else None)
    if contact_url:
        settings.contact_url = contact_url
    bar = progress_bar(max_pages, "crawl")

    def progress(info: dict) -> None:
        bar.n = int(info.get("fetched", bar.n))
        bar.set_postfix(pages_s=f"{info.get('pages_per_s', 0):.1f}",
                        queue=info.get("queued", "?"), errors=info.get("errors", 0),
                        refresh=False)
        bar.refresh()

    with reported():
        try:
            outcome = harvest(targets, data_dir, settings, batch=batch, progress=progress)
        finally:
            bar.close()
    click.echo(outcome.summary())


@cli.command()
@_data_dir_option
def reclean(data_dir: Path) -> None:
    """Re-derive every stored version from its archived page (after a cleaner upgrade) and
    update the index; prints which versions changed.

    A version keeps its capture (raw page, fetch time, WARC record id); only what the
    cleaner makes of it is replaced.  Versions from JSON records have no page and stay.
    Pages the cleaner refused at ingest (kept in the store) are tried again too.

    \b
    Example:
      vnarchive reclean --data-dir data
    """
    from indexer.ingest.recleaner import reclean as do_reclean

    need_archive(data_dir)
    bar = progress_bar(None, "reclean")
    with reported():
        try:
            report = do_reclean(data_dir, progress=bar.update)
        finally:
            bar.close()
    click.echo(report.summary())
    if report.failed and not (report.versions - report.failed):
        sys.exit(EXIT_ALL_FAILED)
    if report.failed:
        sys.exit(EXIT_SOME_FAILED)


def main() -> None:
    cli(prog_name="vnarchive")


if __name__ == "__main__":
    main()
