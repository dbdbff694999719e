"""The show end to end in a browser: how long a viewer waits for the host to see them.

Over `--runs` shows (plus `--warmup` shows not counted), each a fresh host window, API and room
on the session's livekit-server, with two viewer pages in headless Chromium, it times:

(a) "Raise hand" clicked in the viewer page -> the row in the host's HandQueueModel
    (target p95 <= 300 ms);
(b) "Accept" clicked in the invitation -> the guest's first frame painted on the host's guest
    tile: the tile has video and its centre pixel, grabbed, is the fake camera's colour (the
    criterion of tests/viewer/test_viewer_page.py) (target p95 <= 2.5 s).

Both are timed with time.perf_counter from just before Playwright's click and polled every 5 ms
on the host's qasync loop. The flow is bench/_show_latency_flow.py, run with pytest.main on the
fixtures of tests/ (tests/conftest.py loaded as a plugin), so it is the test's real path.

    python bench/show_latency.py [--runs 20] [--warmup 1]

Needs root (network namespace), livekit-server (scripts/install-livekit-server.sh) and
/usr/bin/chromium, as the browser tests do.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
FLOW = BENCH / "_show_latency_flow.py"
RUNS_ENV = "HOSTDESK_SHOW_LATENCY_RUNS"
OUT_ENV = "HOSTDESK_SHOW_LATENCY_OUT"
TARGET_HAND_MS = 300.0
TARGET_ACCEPT_MS = 2500.0


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [list(headers)] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.0f}"
    return str(value)


def _summary(name: str, values: list[float], target: float | None) -> list[object]:
    if not values:
        return [name, 0, None, None, None, None, target, "-"]
    p95 = percentile(values, 95)
    met = "-" if target is None else ("yes" if p95 <= target else "NO")
    return [
        name,
        len(values),
        percentile(values, 50),
        p95,
        min(values),
        max(values),
        target,
        met,
    ]


def _column(records: list[dict[str, Any]], key: str) -> list[float]:
    return [float(r[key]) for r in records if r.get(key) is not None]


def run_flow(runs: int, out: Path, verbose: bool) -> int:
    import pytest

    if str(ROOT) not in sys.path:  # `-p tests.conftest` is imported before pytest's pythonpath
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ[RUNS_ENV] = str(runs)
    os.environ[OUT_ENV] = str(out)
    args = [
        str(FLOW),
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(ROOT),
        "-p",
        "tests.conftest",
        "-p",
        "no:cacheprovider",
        "-q" if not verbose else "-v",
    ]
    return int(pytest.main(args))


def report(records: list[dict[str, Any]], warmup: int) -> None:
    print("\nPer run (ms; run < warm-up count not in the figures):")
    print(
        _table(
            [
                "run",
                "hand",
                "via",
                "data msg",
                "attribute",
                "click after live",
                "accept",
                "response",
                "guest role",
                "subscribed",
                "1st frame",
                "tile video",
            ],
            [
                [
                    r["run"],
                    r["hand_ms"],
                    r["hand_via"],
                    r["hand_data_ms"],
                    r["hand_attribute_ms"],
                    r["click_after_live_ms"],
                    r["accept_ms"],
                    r["accept_response_ms"],
                    r["accept_guest_ms"],
                    r["accept_subscribed_ms"],
                    r["accept_first_frame_ms"],
                    r["accept_tile_video_ms"],
                ]
                for r in records
            ],
        )
    )
    counted = [r for r in records if r["run"] >= warmup]
    hand, hand_page = _column(counted, "hand_ms"), _column(counted, "hand_from_page_ms")
    accept, accept_page = _column(counted, "accept_ms"), _column(counted, "accept_from_page_ms")
    print(f"\n{len(counted)} runs counted (nearest-rank percentiles, ms; timed from just before")
    print("Playwright's click call, and from the click event in the page):")
    print(
        _table(
            ["figure", "runs", "p50", "p95", "min", "max", "target p95", "met"],
            [
                _summary("raise hand -> row in host queue", hand, TARGET_HAND_MS),
                _summary("  same, from the page's click event", hand_page, None),
                _summary("accept -> first guest frame painted", accept, TARGET_ACCEPT_MS),
                _summary("  same, from the page's click event", accept_page, None),
            ],
        )
    )
    print("\nWhere the time goes (median ms from the click):")
    rows = [
        ("click event in the page (hand)", "hand_page_click_ms"),
        ("Playwright click call returned (hand)", "hand_click_ms"),
        ("hand_raise data message at the host", "hand_data_ms"),
        ("handRaisedAt attribute at the host", "hand_attribute_ms"),
        ("click event in the page (accept)", "accept_page_click_ms"),
        ("Playwright click call returned (accept)", "accept_click_ms"),
        ("guest_invite_response at the host", "accept_response_ms"),
        ("guest role in the host's mirror", "accept_guest_ms"),
        ("video track subscribed at the host", "accept_subscribed_ms"),
        ("first decoded frame at the host", "accept_first_frame_ms"),
        ("guest tile has an image", "accept_tile_video_ms"),
    ]
    print(
        _table(
            ["step", "runs", "median"],
            [
                [name, len(v), statistics.median(v) if v else None]
                for name, key in rows
                for v in [_column(counted, key)]
            ],
        )
    )
    vias = [r["hand_via"] for r in counted]
    print(
        f"\nhand first reached the host by: data message {vias.count('data')}, "
        f"attribute {vias.count('attribute')}; the host already knew the viewer at the click "
        f"in {sum(bool(r.get('host_knew_viewer')) for r in counted)} of {len(counted)} runs"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="shows measured (default 20)")
    parser.add_argument("--warmup", type=int, default=1, help="shows first, not counted")
    parser.add_argument("--json", type=Path, help="also keep the per-run records here")
    parser.add_argument("-v", "--verbose", action="store_true", help="pytest -v")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.json.resolve() if args.json else Path(tmp) / "show_latency.jsonl"
        out.unlink(missing_ok=True)
        code = run_flow(args.warmup + args.runs, out, args.verbose)
        records = (
            [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
        )
    if records:
        report(records, args.warmup)
    else:
        print("no run finished")
    if code != 0:
        print(
            f"\npytest exited with {code}: see its report above. {len(records)} of "
            f"{args.warmup + args.runs} runs recorded their timings (a run records them before "
            "the fixtures' teardown checks, e.g. for console errors in the pages)."
        )
    return code


if __name__ == "__main__":
    sys.exit(main())
