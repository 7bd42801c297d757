"""The CLI's search options (the page's filters), its request, and JSON errors for
``--json`` commands."""
from __future__ import annotations

import json
import sys
from datetime import date

import click

from cli.reporting import EXIT_ERROR, EXIT_USAGE

__all__ = ["JsonErrors", "json_error", "filter_options", "build_request", "parse_date"]


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


def filter_options(f):
    """The filters shared by ``search`` and ``export`` (the page's parameters)."""
    for decorator in reversed((
        click.option("--province", multiple=True,
                     help="Province as named in the article (repeatable)."),
        click.option("--province-2025", "province_2025", multiple=True,
                     help="Province within the borders from 1 July 2025 (repeatable)."),
        click.option("--official", multiple=True, help="Official's full name (repeatable)."),
        click.option("--program", multiple=True, help="Programme label (repeatable)."),
        click.option("--site", multiple=True, help="Site host, e.g. thtg.vn (repeatable)."),
        click.option("--author", multiple=True, help="Author as in the byline (repeatable)."),
        click.option("--section", multiple=True, help="The site's section (repeatable)."),
        click.option("--tag", multiple=True, help="The site's tag (repeatable)."),
        click.option("--year", multiple=True, callback=_years,
                     help="Publication year, four digits (repeatable)."),
        click.option("--from", "date_from", help="Published on or after YYYY-MM-DD."),
        click.option("--to", "date_to", help="Published on or before YYYY-MM-DD."),
        click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]),
                     default="relevance", show_default=True),
    )):
        f = decorator(f)
    return f


def build_request(query: str, opts: dict, **extra):
    from indexer import SearchRequest
    filters = {k: tuple(opts[k]) for k in ("province", "province_2025", "official", "program",
                                           "site", "year", "author", "section", "tag")
               if opts.get(k)}
    return SearchRequest(q=query, filters=filters, date_from=parse_date(opts["date_from"], "--from"),
                         date_to=parse_date(opts["date_to"], "--to"), sort=opts["sort"], **extra)

