"""The serving section's rows of the printed table."""

from __future__ import annotations

from .report import MIB_LIMIT, verdict

Row = tuple[str, str, str, str]


def _probe(label: str, s: dict, limit: float) -> Row:
    errors = f", {s['errors']} errors" if s["errors"] else ""
    return (
        label,
        f"p99 {s['p99_ms']:.0f} ms (p50 {s['p50_ms']:.0f}, max {s['max_ms']:.0f}; "
        f"{s['requests']} requests{errors})",
        f"p99 <= {limit:.0f} ms",
        verdict(s["p99_ms"] <= limit and not s["errors"]),
    )


def _counts(counts: dict) -> str:
    return ", ".join(f"{n} {name}" for name, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def waits_rows(w: dict) -> list[Row]:
    cfg = w["config"]
    ok_streams = w["streams_ended"] == w["streams"] == cfg["streams"]
    threads = w["worker_threads_max"]
    lag = w["end_lag_ms"]
    rows = [
        (
            f"{cfg['streams']:,} streams + {cfg['seeds']} seed calls, {cfg['users']} users",
            f"held {w['windows_s']['held']:.0f} s; {w['seconds']:.0f} s in all",
            "",
            "",
        ),
        (
            "  seed calls answered",
            f"{_counts(w['seed_status'])} (HTTP status; wait {cfg['sync_wait']:g} s, "
            f"{cfg['queue_workers']} workers x {cfg['provider_seconds']:g} s provider)",
            "200 or 202",
            verdict(set(w["seed_status"]) <= {"200", "202"}),
        ),
        (
            "  streams that got their end event",
            f"{w['streams_ended']}/{w['streams']} ({_counts(w['stream_end_status'])}); "
            f"end event {lag['p50']:.0f} ms after the task ended (p99 {lag['p99']:.0f})",
            "every stream",
            verdict(ok_streams),
        ),
        (
            "  arrival",
            f"{cfg['seeds']} seeds at {cfg['seeds_per_second']:g}/s, then streams at "
            f"{cfg['streams_per_second']:g}/s: all open in {w['windows_s']['arriving']:.0f} s; "
            f"web tier busy {w['web_cpu_s']['arriving'] / w['windows_s']['arriving']:.2f} cores",
            "",
            "",
        ),
    ]
    for path, limit in (("/api/v1/credits", 200), ("/healthz", 100)):
        windows = w["probes"][path]
        rows.append(_probe(f"  probe {path}, all 1,200 held", windows["held"], limit))
        rows.append(_probe("    while they arrive", windows["arriving"], limit))
        rows.append(_probe("    while they end (cancels, end events)", windows["ending"], limit))
        rows.append(_probe("    quiet, before", windows["quiet"], limit))
    peak = max(threads.values(), default=0)
    rows += [
        (
            "  web memory, master + workers, peak",
            f"{w['web_rss_peak_mib']:.0f} MiB (quiet {w['web_rss_quiet_mib']:.0f})",
            f"<= {MIB_LIMIT} MiB",
            verdict(w["web_rss_peak_mib"] <= MIB_LIMIT),
        ),
        (
            "  web worker threads, max",
            " / ".join(str(n) for n in threads.values()) + " (sync pool 32)",
            "bounded: <= 32 + 8",
            verdict(0 < peak <= 40),
        ),
        (
            "  CPU: web tier / this load generator",
            f"{w['web_cpu_share']:.2f} / {w['client_cpu_share']:.2f} cores on average",
            "",
            "",
        ),
    ]
    return rows


def _slow(s: dict) -> str:
    headers, bodies = s["slow_headers"], s["slow_bodies"]

    def closed(d: dict) -> str:
        if not d["closed_by_server"]:
            return "all held open"
        answers = f" ({_counts(d['answers'])})" if d["answers"] else ""
        after = d["median_lifetime_s"]
        return f"{d['closed_by_server']} closed by the server after ~{after:.0f} s{answers}"

    return f"slow headers: {closed(headers)}; slow bodies: {closed(bodies)}"


def slow_rows(nginx: dict, direct: dict) -> list[Row]:
    rows = []
    for label, s, limit in (("via nginx", nginx, 1.5), ("ASGI server alone", direct, None)):
        rows.append(
            (
                f"64 slow-header + 64 slow-body clients, {label}",
                f"probe p99 {s['slow']['p99_ms']:.0f} ms vs {s['alone']['p99_ms']:.0f} alone "
                f"= {s['ratio']:.2f}x (p50 {s['slow']['p50_ms']:.0f} vs "
                f"{s['alone']['p50_ms']:.0f}; errors {s['slow']['errors']})",
                f"<= {limit:g}x" if limit else "stated",
                verdict(s["ratio"] <= limit and not s["slow"]["errors"]) if limit else "",
            )
        )
        threads = " / ".join(str(n) for n in s["worker_threads_max"].values())
        rows.append((f"  {_slow(s)}", f"worker threads {threads}", "", ""))
    return rows


def oversized_rows(o: dict) -> list[Row]:
    rows = []
    labels = {
        "direct": "300 MB body, ASGI server alone",
        "nginx": "300 MB body, via nginx",
        "direct_chunked": "  chunked (no Content-Length), ASGI server alone",
        "nginx_chunked": "  chunked (no Content-Length), via nginx",
    }
    for name, label in labels.items():
        r = o.get(name)
        if r is None:
            continue
        written = r["written_by_workers_bytes"] + r.get("written_by_nginx_bytes", 0)
        files = len(r["new_files"]) + len(r["nginx_buffered"])
        figure = (
            f"{r['status'] or 'no answer'} in {r['ms']:.0f} ms, {r['sent_bytes'] / 1e6:.1f} MB "
            f"sent by then; the app read {r['read_by_workers_bytes'] / 1e6:.1f} MB; "
            f"{written / 1e6:.1f} MB written to disk, {files} files left"
        )
        if name.endswith("_chunked"):
            rows.append((label, figure, "measured", ""))
            continue
        ok = r["status"] == 413 and r["ms"] <= 100 and written < 1e6 and not files
        rows.append(
            (
                label,
                figure,
                "413 <= 100 ms, nothing on disk",
                verdict(ok and r["sent_bytes"] < r["size"]),
            )
        )
    return rows


def uploads_rows(u: dict) -> list[Row]:
    statuses = _counts(u["statuses"])
    return [
        (
            f"{u['requests']} x {u['images_per_request']} flat {u['megapixels']:.0f}-MP PNGs "
            "at once",
            f"{statuses} in {u['seconds']:.1f} s; web memory peak {u['peak_mib']:.0f} MiB "
            f"(baseline {u['baseline_mib']:.0f}; decoded they would be "
            f"{u['decoded_bytes_if_decoded'] / 2**30:.1f} GiB)",
            f"<= {MIB_LIMIT} MiB, all 202",
            verdict(u["peak_mib"] <= MIB_LIMIT and u["statuses"] == {"202": u["requests"]}),
        ),
        (
            f"  web memory {u['settle_s']:.0f} s later",
            f"{u['after_mib']:.0f} MiB = {u['after_ratio']:.2f}x the baseline",
            "<= 1.2x",
            verdict(u["after_ratio"] <= 1.2),
        ),
    ]


def serving_rows(s: dict) -> list[Row]:
    rows = [("Serving tier: " + s["notifications"], "", "", "")]
    rows += waits_rows(s["waits"])
    rows += slow_rows(s["slow_nginx"], s["slow_direct"])
    rows += oversized_rows(s["oversized"])
    rows += uploads_rows(s["uploads"])
    return rows
