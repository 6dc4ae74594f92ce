"""The BENCHMARKS.md section of the analytics benchmark."""

from __future__ import annotations

from bench.analytics.common import TARGET_DASHBOARD_MS, TARGET_JOB_S, TARGET_RATIO
from bench.analytics.measure import postgres_version


def report(sizes: dict, floor: float, runs: list[dict], dash: dict, small_queries: int | None, build_s: float | None,
           chunk_size: int) -> str:
    from bench.support import machine_description

    parallel = [r for r in runs if r["workers"] > 1] or runs
    # The summary line is about the nights with a trained churn model (a new tenant's first night,
    # with the cheaper rule-based estimate, is in the table but would flatter the range).
    steady = [r for r in parallel if r["method"] == "model"] or parallel
    best = min(steady, key=lambda r: r["total"])
    worst = max(steady, key=lambda r: r["total"])
    lines = [
        "### Analytics: nightly health job and executive dashboard (`make bench`, `python -m bench`)",
        "",
        f"Machine: {machine_description()}; {postgres_version()} (default settings: shared_buffers 128 MB, "
        f"work_mem 4 MB). Data: one tenant with {sizes['partners']:,} partners, {sizes['events']:,} engagement "
        f"events over 365 days, {sizes['deals']:,} deal registrations and {sizes['attributions']:,} attribution "
        f"rows, built with INSERT … SELECT generate_series"
        + (f" in {build_s:.0f} s" if build_s else "") + "; 11 weeks of earlier snapshots for the churn model and trends.",
        "",
        "| Measurement | Result | Target |",
        "|---|---:|---|",
        f"| Bare `SELECT partner_id, count(*) … GROUP BY partner_id` over the tenant's events (best of 3 before and 3 after the runs) | {floor:.2f} s | floor |",
    ]
    for r in runs:
        verdict = "—"
        if r in parallel:
            verdict = (f"< {TARGET_JOB_S} s {'✔' if r['total'] < TARGET_JOB_S else '✘'}, "
                       f"≤ {TARGET_RATIO}× {'✔' if r['total'] <= TARGET_RATIO * floor else '✘'}")
        note = f"; {r['note']}" if r.get("note") else ""
        lines.append(f"| Nightly job, {r['workers']} worker process(es), {r['chunks']} chunks of {chunk_size:,}, "
                     f"{r['partners']:,} partners (start + model training {r['start']:.1f} s, chunks "
                     f"{r['chunk_phase']:.1f} s, finish {r['finish']:.1f} s{note}) | {r['total']:.1f} s "
                     f"({r['total'] / floor:.1f}× the GROUP BY) | {verdict} |")
    for label, d in dash.items():
        verdict = "✔" if d["median"] < TARGET_DASHBOARD_MS else "✘"
        lines.append(f"| Executive dashboard ({label}): median / p95 server time, queries | "
                     f"{d['median']:.0f} / {d['p95']:.0f} ms, {d['queries']} queries | < {TARGET_DASHBOARD_MS} ms {verdict} |")
    if small_queries is not None:
        lines.append(f"| Dashboard queries on a 3-partner tenant without MDF funds, content or deals (sections with "
                     f"nothing to show skip their queries; `test_the_dashboard_runs_a_constant_number_of_queries` pins "
                     f"the count for 3 and 40 partners with the same data kinds) | {small_queries} | does not grow with size |")
    lines += ["", f"Nightly job with {best['workers']} workers: {best['total']:.1f}–{worst['total']:.1f} s over "
              f"{len(steady)} runs" + (" with the trained churn model" if steady[0]["method"] == "model" else "")
              + f", {best['total'] / floor:.1f}–{worst['total'] / floor:.1f}× the bare GROUP BY."]
    model = best.get("method")
    lines += ["", f"Churn model in the measured run: {model}"
              + (f", trained on {best['samples']:,} partners, holdout AUC {best['auc']:.3f}" if best.get("auc") else "")
              + ". On PostgreSQL each chunk is one set-based statement (features, score, churn risk, tier "
              "evaluation and next actions computed in SQL and upserted; analytics.services.sql_chunk), which also "
              "sums up the chunk's per-segment summary groups and new tier proposals; the finish adds those up into the summary "
              "rows, re-samples the planner statistics of the new date and notifies channel managers of new tier "
              "proposals. The job runs the same code as the Celery tasks (start, one "
              "transaction per chunk, finish); the "
              "worker processes stand in for Celery worker processes without the broker round trips. Each timed "
              "run scores a date without snapshots yet, as every night does (re-running a date updates its rows "
              "instead), and starts after a checkpoint: the earlier runs' and the history's writes are flushed, as "
              "the checkpoints of a quiet day would have flushed them. The dashboard is timed in-process through "
              "the whole middleware stack with a signed-in "
              "executive, computing its figures on every request (refresh=1; otherwise staff share a rendered body for "
              "5 minutes); its figures come from the run's per-segment summary rows.", ""]
    return "\n".join(lines) + "\n"
