"""``python -m ideogram_widgets.sandbox --port 8123``: serve the local sandbox over HTTP.

Example:
    $ python -m ideogram_widgets.sandbox --port 0 --speed-scale 0.1 --token t
    local sandbox (not Ideogram) ready at http://127.0.0.1:41877
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Sequence

from ._config import FAULT_KINDS, MASK_POLARITIES, RESULT_NOT_READY_MODES, SandboxConfig
from ._server import serve


def _parser() -> argparse.ArgumentParser:
    d = SandboxConfig()
    p = argparse.ArgumentParser(
        prog="python -m ideogram_widgets.sandbox",
        description="Serve the local sandbox (classical image processing, not Ideogram) "
        "with the RunComfy Model API's HTTP shapes.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    p.add_argument("--token", default=d.token, help="require 'Authorization: Bearer TOKEN'")
    p.add_argument("--workers", type=int, default=d.workers)
    p.add_argument("--speed-scale", type=float, default=d.speed_scale)
    p.add_argument("--duration-jitter", type=float, default=d.duration_jitter, help="± fraction, 0…1")
    p.add_argument("--fault-rate", type=float, default=d.fault_rate)
    p.add_argument(
        "--faults",
        default=",".join(d.faults),
        help=f"comma-separated subset of {','.join(FAULT_KINDS)}",
    )
    p.add_argument("--slow-seconds", type=float, default=d.slow_seconds)
    p.add_argument("--fail-rate", type=float, default=d.fail_rate)
    p.add_argument("--result-ttl", type=float, default=d.result_ttl)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--mask-polarity", choices=MASK_POLARITIES, default=d.mask_polarity)
    p.add_argument(
        "--no-data-uris",
        dest="accept_data_uris",
        action="store_false",
        help="answer 422 to data: URI inputs",
    )
    p.add_argument("--result-not-ready", choices=RESULT_NOT_READY_MODES, default=d.result_not_ready)
    p.add_argument("--submit-status", type=int, choices=(200, 202), default=d.submit_status)
    p.add_argument(
        "--state-dir",
        default=None,
        help="keep jobs and result files in this folder, so a restarted sandbox serves them again",
    )
    p.add_argument("--log-level", default="warning")
    return p


def config_from_args(argv: Sequence[str] | None = None) -> tuple[SandboxConfig, argparse.Namespace]:
    """Parse command-line arguments into a :class:`SandboxConfig` (and the raw namespace)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        config = SandboxConfig(
            token=args.token,
            workers=args.workers,
            speed_scale=args.speed_scale,
            duration_jitter=args.duration_jitter,
            fault_rate=args.fault_rate,
            faults=tuple(k.strip() for k in args.faults.split(",") if k.strip()),
            slow_seconds=args.slow_seconds,
            fail_rate=args.fail_rate,
            result_ttl=args.result_ttl,
            seed=args.seed,
            mask_polarity=args.mask_polarity,
            accept_data_uris=args.accept_data_uris,
            result_not_ready=args.result_not_ready,
            submit_status=args.submit_status,
            state_dir=args.state_dir,
        )
    except ValueError as exc:
        parser.error(str(exc))
    return config, args


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``python -m ideogram_widgets.sandbox``."""
    config, args = config_from_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        serve(config, args.host, args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
