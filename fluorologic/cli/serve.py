"""``fluorologic serve``: run the HTTP service (:mod:`fluorologic.service.app`) with uvicorn.

Examples
--------
>>> from click.testing import CliRunner
>>> "--solve-timeout" in CliRunner().invoke(serve, ["--help"]).output
True

"""

from __future__ import annotations

import ipaddress
import os

import click

from fluorologic.contract.errors import DataError
from fluorologic.rules.source import rule_source

__all__ = ["check_exposure", "is_loopback", "serve"]


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1).

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)

    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, token: str | None) -> None:
    """Refuse (a usage error) to listen on anything but loopback without a token; put host and token in the env."""
    if token:
        os.environ["FLUOROLOGIC_TOKEN"] = token
    elif not is_loopback(host):
        raise click.UsageError(f"--host {host} is reachable from other machines: give --token TOKEN (or set "
                               "FLUOROLOGIC_TOKEN); every request must then carry it")
    os.environ["FLUOROLOGIC_HOST"] = host  # the workbench answers to this name (and the loopback ones) only


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Server processes (each has its own solver).")
@click.option("--solve-timeout", default=5.0, show_default=True, type=click.FloatRange(min=0.001),
              help="Seconds before an encounter is answered with needs_review.")
@click.option("--max-body-bytes", default=1_048_576, show_default=True, type=click.IntRange(min=1))
@click.option("--max-encounters", default=1000, show_default=True, type=click.IntRange(min=1),
              help="Encounters per request.")
@click.option("--max-lines", default=50, show_default=True, type=click.IntRange(min=1),
              help="Lines per encounter.")
@click.option("--store", type=click.Path(dir_okay=False), default=None,
              help="Rule store with imported CMS quarters [default: $FLUOROLOGIC_STORE or the per-user data folder].")
@click.option("--as-of-quarter", default=None, help="Decide every encounter under this loaded quarter, e.g. 2024Q3.")
@click.option("--recycle-batches", default=5000, show_default=True, type=click.IntRange(min=1),
              help="Replace a server process's solver process after this many batches (keeps memory flat).")
@click.option("--batch-linger-ms", default=5.0, show_default=True, type=click.FloatRange(min=0),
              help="Wait this long for more requests before solving a batch that is not full (0: never).")
@click.option("--access-log/--no-access-log", default=False, show_default=True,
              help="Log each request line (method, path, status; never the body).")
@click.option("--token", envvar="FLUOROLOGIC_TOKEN", default=None,
              help="Require this token on every request (needed when --host is not a loopback address) "
                   "[env: FLUOROLOGIC_TOKEN].")
def serve(host: str, port: int, workers: int, solve_timeout: float, max_body_bytes: int, max_encounters: int,
          max_lines: int, store: str | None, as_of_quarter: str | None, recycle_batches: int,
          batch_linger_ms: float, access_log: bool, token: str | None) -> None:
    """Serve POST /v1/solve, /v1/why, /v1/scan, GET /healthz, the workbench at / and offline API docs at /docs."""
    import uvicorn  # the server is loaded only when serving

    from fluorologic.service.timeouts import HTTP_PROTOCOL  # read deadlines for slow clients

    check_exposure(host, token)
    try:
        rule_source(store, as_of_quarter)
    except DataError as exc:
        raise click.UsageError(str(exc)) from None

    os.environ.update({"FLUOROLOGIC_SOLVE_TIMEOUT": str(solve_timeout),
                       "FLUOROLOGIC_MAX_BODY_BYTES": str(max_body_bytes),
                       "FLUOROLOGIC_MAX_ENCOUNTERS": str(max_encounters),
                       "FLUOROLOGIC_MAX_LINES": str(max_lines),
                       "FLUOROLOGIC_RECYCLE_BATCHES": str(recycle_batches), "FLUOROLOGIC_SOLVER_PROCESS": "1",
                       "FLUOROLOGIC_BATCH_LINGER": str(batch_linger_ms / 1000),
                       "FLUOROLOGIC_SERVE_STORE": store or "", "FLUOROLOGIC_AS_OF_QUARTER": as_of_quarter or ""})
    uvicorn.run("fluorologic.service.app:create_app", factory=True, host=host, port=port, workers=workers,
                access_log=access_log, log_level="info", http=HTTP_PROTOCOL)
