"""The printed table: one row per figure, with its target and whether it was met."""

from __future__ import annotations

MIB_LIMIT = 1024  # 1 GiB of web memory


def verdict(ok: bool) -> str:
    return "met" if ok else "missed"


def queue_rows(q: dict) -> list[tuple[str, str, str, str]]:
    table = []

    def where(r: dict) -> tuple[str, str, str, str]:
        return (
            "  where it goes (medians, ms)",
            f"API {r['api']:.0f}, hand-off {r['queue']:.0f}, worker writes "
            f"{r['bookkeeping']:.0f}, storing {r['storing']:.0f}, completing commit "
            f"{r['completing']:.0f}; p90 task {r['e2e_p90']:.0f}",
            "",
            "",
        )

    def overhead(label: str, r: dict, limit: float | None) -> None:
        table.append(
            (
                label,
                f"{r['overhead']:.0f} ms (task {r['e2e']:.0f} - direct {r['direct']:.0f})",
                f"<= {limit:.0f} ms" if limit else "measured",
                verdict(r["overhead"] <= limit) if limit else "",
            )
        )
        table.append(where(r))

    default, fast = q["overhead"], q["overhead_fast_poll"]
    overhead(
        f"Queue overhead, median, ORM broker (default poll {default['poll_ms'] / 1000:g} s)",
        default,
        70,
    )
    overhead(f"Queue overhead, median, ORM broker (poll {fast['poll_ms'] / 1000:g} s)", fast, None)
    share = default["overhead"] - fast["overhead"]
    table.append(
        (
            f"  the poll's share at {default['poll_ms'] / 1000:g} s",
            f"{share:.0f} ms ({share / default['overhead']:.0%} of the overhead)",
            "",
            "",
        )
    )
    if "overhead_redis" in q:
        overhead("Queue overhead, median, Redis broker", q["overhead_redis"], 20)
    else:
        table.append(("Queue overhead, median, Redis broker", "-", "<= 20 ms", "skipped: no Redis"))
    for t in q["throughput"]:
        target = 0.9 * t["workers"]
        table.append(
            (
                f"Throughput, 1 s tasks, {t['workers']} worker(s)",
                f"{t['per_second']:.2f} tasks/s ({t['completed']}/{t['tasks']} in "
                f"{t['seconds']:.1f} s)",
                f">= {target:.1f} tasks/s",
                verdict(t["per_second"] >= target and t["completed"] == t["tasks"]),
            )
        )
    return table


def web_rows(w: dict) -> list[tuple[str, str, str, str]]:
    i, m = w["intake"], w["memory"]
    return [
        (
            f"API intake, {i['image_bytes'] / 1e6:.1f} MB JPEG, {i['clients']} clients",
            f"{i['per_second']:.1f}/s, p50 {i['p50_ms']:.0f} ms, p99 {i['p99_ms']:.0f} ms "
            f"({i['failed']} failed)",
            i["config"],
            "measured" if not i["failed"] else "missed",
        ),
        (
            f"Web worker memory, {m['checkpoint']} -> {m['requests']} requests",
            f"{m['growth']:+.1%} ({m['rss_at_checkpoint_mib']:.0f} -> "
            f"{m['rss_at_end_mib']:.0f} MiB)",
            "within 10%",
            verdict(abs(m["growth"]) <= 0.10),
        ),
    ]


def images_rows(img: dict) -> list[tuple[str, str, str, str]]:
    return [
        (
            f"Image preparation, {img['source']}",
            f"{img['speedup']:.1f}x ({img['draft_ms']:.0f} vs {img['full_ms']:.0f} ms)",
            f">= {img['target_speedup']:g}x",
            verdict(img["speedup"] >= img["target_speedup"]),
        )
    ]


def diffusers_rows(d: dict) -> list[tuple[str, str, str, str]]:
    if "skipped" in d:
        return [("Local diffusers via the service", "-", ">= 0.95x", d["skipped"])]
    return [
        (
            "Local diffusers via the service / direct",
            f"{d['ratio']:.2f}x ({d['service_per_second']:.2f} vs {d['direct_per_second']:.2f} /s)",
            ">= 0.95x",
            verdict(d["ratio"] >= 0.95),
        )
    ]


def print_table(table: list[tuple[str, str, str, str]]) -> None:
    table = [("benchmark", "figure", "target", "result"), *table]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for n, row in enumerate(table):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
