"""The analytics benchmark's report (what BENCHMARKS.md says about the nightly job)."""

from __future__ import annotations

from bench.analytics import report, section


def _run(total, method, workers=2, note=""):
    return {"total": total, "start": 0.5, "chunk_phase": total - 0.6, "finish": 0.1, "chunks": 10,
            "partners": 100_000, "method": method, "auc": 0.97 if method == "model" else None,
            "samples": 20_000 if method == "model" else 0, "workers": workers, "note": note}


def test_the_summary_line_covers_the_nights_with_a_trained_model(monkeypatch):
    monkeypatch.setattr(section, "postgres_version", lambda: "PostgreSQL 15")
    runs = [_run(5.0, "rules", note="no history yet"), _run(6.0, "model"), _run(7.0, "model"), _run(11.0, "model", 1)]
    text = report({"partners": 100_000, "events": 10_000_000, "deals": 1_000_000, "attributions": 1},
                        2.0, runs, {}, None, None, 10_000)
    assert "Nightly job with 2 workers: 6.0–7.0 s over 2 runs with the trained churn model, 3.0–3.5× the bare" in text
    assert "Churn model in the measured run: model, trained on 20,000 partners, holdout AUC 0.970" in text
    # Every run is still in the table, the rule-based first night included, each with its verdict.
    assert "| 5.0 s (2.5× the GROUP BY) | < 60 s ✔, ≤ 3× ✔ |" in text
    assert "| 7.0 s (3.5× the GROUP BY) | < 60 s ✔, ≤ 3× ✘ |" in text
    assert "| 11.0 s (5.5× the GROUP BY) | — |" in text
