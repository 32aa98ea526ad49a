"""Benchmark 3: attention at growing sequence lengths, time and memory.

Three implementations on (1, 4 heads, n, 64) float32 inputs, one thread:
- plain: `helpers.attention.scaled_dot_product_attention`, the readable formula (all n × n
  scores at once);
- tiled: `helpers.tiled.tiled_attention`, block by block (notebook 07), also with `causal=True`;
- fused: `torch.nn.functional.scaled_dot_product_attention` with 4-D inputs, torch's own kernel.
Times are medians of CPU time (the machine is shared: CPU time counts only this process's work),
the versions interleaved call by call. Peak extra memory comes from torch's profiler, which sees
every allocation, inside torch's fused kernel too. At n ≤ 1024, the plain version is also timed
against notebook 02's pair loop and notebook 03's row loop.
"""

import math
import statistics
import time

from tools.bench_common import MB, Target, Unavailable, fmt, markdown_table, median_time, ratio

TITLE = "3. Attention at growing sequence lengths: time and memory"
KEYS = ("attention",)
LENGTHS, QUICK_LENGTHS = (512, 1024, 2048, 4096, 8192), (512, 1024)
LOOP_LENGTHS = (512, 1024)
HEADS, DIM = 4, 64
TARGETS = {
    "vs_fused": Target("tiled_attention ≤ 1.5 × torch fused time at every n", 1.5),
    "causal": Target("causal tiled ≤ 0.6 × its non-causal time at n = 4096", 0.6),
    "linear": Target("tiled memory at most doubles when n doubles (linear in n)", 2.0),
    "vs_plain_memory": Target("tiled memory ≥ 20 × below plain at n = 8192", 20.0, False),
    "vs_fused_memory": Target("tiled memory ≤ 2 × torch fused at n = 8192", 2.0),
    "vs_loop": Target("plain attention ≥ 50 × faster than the pair loop at n = 1024", 50.0, False),
}


def extrapolate(seconds: float, measured: int, total: int) -> float:
    """Time for `total` independent queries from the time for `measured` of them (linear)."""
    if measured <= 0 or total < measured:
        raise ValueError(f"need 0 < measured <= total, got measured={measured}, total={total}")
    return seconds * total / measured


def loop_attention(q, k, v, queries: int):
    """By hand, one (query, key) pair at a time, as in notebook 02, for the first `queries`.

    q, k: (heads, n, d); v: (heads, n, d_v). Returns (heads, queries, d_v): for each query, the
    scaled dot product with every key, a softmax, then the weighted sum of the values.
    """
    import torch

    scale = 1.0 / math.sqrt(q.shape[-1])
    out = torch.empty(q.shape[0], queries, v.shape[-1], dtype=v.dtype)
    for head in range(q.shape[0]):
        for i in range(queries):
            scores = torch.stack([torch.dot(q[head, i], key) for key in k[head]]) * scale
            weights = torch.softmax(scores, dim=0)
            out[head, i] = sum(w * value for w, value in zip(weights, v[head], strict=True))
    return out


def row_loop_attention(q, k, v):
    """One query at a time, each against all keys at once, as in notebook 03; shapes as above."""
    import torch

    scale = 1.0 / math.sqrt(q.shape[-1])
    return torch.stack(
        [
            torch.stack([torch.softmax(k[h] @ query * scale, dim=0) @ v[h] for query in q[h]])
            for h in range(q.shape[0])
        ]
    )


def implementations() -> dict:
    """name -> function(q, k, v); Unavailable when the helpers are not there yet."""
    import torch.nn.functional as F

    try:
        from helpers.attention import scaled_dot_product_attention
        from helpers.tiled import tiled_attention
    except ImportError as err:
        raise Unavailable(f"the attention helpers cannot be imported ({err})") from None
    return {
        "fused": F.scaled_dot_product_attention,
        "tiled": tiled_attention,
        "tiled_causal": lambda q, k, v: tiled_attention(q, k, v, causal=True),
        "plain": scaled_dot_product_attention,
    }


def cpu_times(functions: dict, args: tuple, repeat: int) -> dict:
    """Median CPU seconds per call of each function, calls interleaved, after one warm-up each."""
    samples = {name: [] for name in functions}
    for function in functions.values():
        function(*args)
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.process_time()
            function(*args)
            samples[name].append(time.process_time() - start)
    return {name: statistics.median(times) for name, times in samples.items()}


def profiled_peak_bytes(function, *args) -> int:
    """Most bytes torch held at once during the call beyond what it held before, from every
    allocation and release torch's profiler records (inside fused kernels too)."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as run:
        result = function(*args)
        del result
    events = run.profiler.kineto_results.events()
    held = peak = 0
    for _, change in sorted((e.start_ns(), e.nbytes()) for e in events if e.name() == "[memory]"):
        held += change
        peak = max(peak, held)
    return peak


def checked(functions: dict, q, k, v) -> None:
    """Every implementation must agree with torch before it is timed."""
    import torch

    expected = {False: functions["fused"](q, k, v)}
    expected[True] = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    for name, function in functions.items():
        if not torch.allclose(function(q, k, v), expected[name == "tiled_causal"], atol=1e-5):
            raise AssertionError(f"{name} disagrees with torch at n={q.shape[-2]}")


def loops_at(n: int, q, k, v, plain, quick: bool) -> dict:
    """The pair loop (on a few queries, extrapolated) and the row loop, one head's worth each."""
    per_head = 4 if quick else 16
    subset = median_time(lambda: loop_attention(q[0], k[0], v[0], per_head), 1 if quick else 3)
    return {
        "loop_s": extrapolate(subset, per_head, n),
        "loop_queries": per_head * HEADS,
        "row_loop_s": median_time(lambda: row_loop_attention(q[0], k[0], v[0]), 1, True),
        "plain_wall_s": median_time(lambda: plain(q, k, v), 3, True),
    }


def measure(args) -> dict:
    import torch

    functions = implementations()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    generator, rows = torch.Generator().manual_seed(0), []
    try:
        for n in QUICK_LENGTHS if args.quick else LENGTHS:
            q, k, v = (torch.randn(1, HEADS, n, DIM, generator=generator) for _ in range(3))
            checked(functions, q, k, v)
            repeat = 3 if args.quick else (15 if n <= 2048 else 5)
            row = {"n": n, "seconds": cpu_times(functions, (q, k, v), repeat)}
            row["peak_mb"] = {
                name: profiled_peak_bytes(f, q, k, v) / MB for name, f in functions.items()
            }
            if n in LOOP_LENGTHS:
                row |= loops_at(n, q, k, v, functions["plain"], args.quick)
            rows.append(row)
            print(f"  n={n}: {_summary(row)}", flush=True)
    finally:
        torch.set_num_threads(threads)
    return {"attention": {"quick": args.quick, "heads": HEADS, "d": DIM, "rows": rows}}


def _summary(row: dict) -> str:
    s, m = row["seconds"], row["peak_mb"]
    return (
        f"tiled / fused {s['tiled'] / s['fused']:.2f} × time, "
        f"{m['tiled'] / m['fused']:.2f} × memory; causal / non-causal "
        f"{s['tiled_causal'] / s['tiled']:.2f}; plain {m['plain']:.1f} MB, tiled "
        f"{m['tiled']:.2f} MB"
    )


def _at(results: dict, n: int):
    rows = results.get("attention", {}).get("rows", [])
    return next((row for row in rows if row["n"] == n), None)


def render(part: dict) -> str:
    rows = []
    for row in part["rows"]:
        s, m = row["seconds"], row["peak_mb"]
        vs_fused = ratio(s["tiled"], s["fused"])
        rows.append(
            [
                str(row["n"]),
                fmt(s["fused"] * 1e3, 1),
                fmt(s["tiled"] * 1e3, 1),
                f"{fmt(vs_fused)} {TARGETS['vs_fused'].verdict(vs_fused)}",
                fmt(s["tiled_causal"] * 1e3, 1),
                fmt(ratio(s["tiled_causal"], s["tiled"])),
                fmt(s["plain"] * 1e3, 1),
                fmt(m["fused"], 2),
                fmt(m["tiled"], 2),
                fmt(m["plain"], 1),
            ]
        )
    header = ["n", "fused (ms)", "tiled (ms)", "tiled / fused", "tiled causal (ms)"]
    header += ["causal / non-causal", "plain (ms)", "fused (MB)", "tiled (MB)", "plain (MB)"]
    text = (
        f"Batch 1 × {part['heads']} heads, d = {part['d']}, float32, one thread; times are "
        "median CPU times, the four versions interleaved; memory is the peak extra memory torch "
        "holds during one call, from its profiler"
        + (" (quick mode: short runs, short sequences only)" if part["quick"] else "")
        + f".\n\n{markdown_table(header, rows)}"
    )
    loops = [row for row in part["rows"] if "loop_s" in row]
    if loops:
        header = ["n", "pair loop (ms)", "row loop (ms)", "plain (ms)", "pair loop / plain"]
        table = markdown_table(
            [*header, "pair loop measured on queries"],
            [
                [
                    str(row["n"]),
                    fmt(row["loop_s"] * 1e3, 0),
                    fmt(row["row_loop_s"] * 1e3, 1),
                    fmt(row["plain_wall_s"] * 1e3, 2),
                    fmt(ratio(row["loop_s"], row["plain_wall_s"]), 0),
                    f"{row['loop_queries']} of {row['n'] * part['heads']}",
                ]
                for row in loops
            ],
        )
        text += (
            "\n\nThe loops of notebooks 02 and 03 against the plain version (wall times, "
            "medians): the pair loop takes one (query, key) pair at a time and runs on the first "
            "queries of each head only, extrapolated linearly (every query costs one pass over "
            f"the n keys); the row loop takes one query at a time against all keys.\n\n{table}"
        )
    return text


def targets(results: dict) -> list[list[str]]:
    rows = results.get("attention", {}).get("rows", [])
    if not rows:
        return []
    found = []
    worst = max(rows, key=lambda r: r["seconds"]["tiled"] / r["seconds"]["fused"])
    value = worst["seconds"]["tiled"] / worst["seconds"]["fused"]
    found.append(TARGETS["vs_fused"].row(value, f"worst, n = {worst['n']}: {value:.2f} ×"))
    if row := _at(results, 4096):
        value = row["seconds"]["tiled_causal"] / row["seconds"]["tiled"]
        found.append(TARGETS["causal"].row(value, f"{value:.2f} ×"))
    growth = [
        (b["peak_mb"]["tiled"] / a["peak_mb"]["tiled"], b["n"])
        for a, b in zip(rows, rows[1:], strict=False)
        if b["n"] == 2 * a["n"]
    ]
    if growth:
        value, n = max(growth)
        found.append(TARGETS["linear"].row(value, f"largest, to n = {n}: {value:.2f} ×"))
    if row := _at(results, 8192):
        m = row["peak_mb"]
        for name, value in (
            ("vs_plain_memory", m["plain"] / m["tiled"]),
            ("vs_fused_memory", m["tiled"] / m["fused"]),
        ):
            found.append(TARGETS[name].row(value, f"{value:.2f} ×"))
    if (row := _at(results, 1024)) and "loop_s" in row:
        value = row["loop_s"] / row["plain_wall_s"]
        found.append(TARGETS["vs_loop"].row(value, f"{value:.0f} ×"))
    return found
