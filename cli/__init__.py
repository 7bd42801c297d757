"""cli: the pieces of the ``vnarchive`` command beside its commands (vnarchive_cli.py).

Entry points: ``cli.querying`` (search filters as options, the request, JSON errors) and
``cli.reporting`` (exit codes, progress bars, reports and results as text).
"""
