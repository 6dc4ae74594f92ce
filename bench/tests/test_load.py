"""The load benchmark's page list stays in step with the URLs, and its report shows the ceiling ratio."""

from django.urls import reverse

from bench import load


def test_every_benchmarked_page_resolves():
    paths = [reverse(name) for _label, _role, name, _query, _target in load.PAGES]
    assert len(paths) == len(load.PAGES)
    assert {role for _label, role, *_rest in load.PAGES} == {"partner", "manager", "executive"}


def test_report_gives_each_page_its_ratio_to_the_trivial_view_and_its_verdict():
    results = [
        load.Result("trivial view (ceiling)", "/branding/theme.css", "partner", 400.0, 5, 9, 12, 6000, 0, 3, None),
        load.Result("partner home", "/", "partner", 100.0, 40, 160, 190, 1500, 0, 14, 150),
        load.Result("executive dashboard", "/analytics/dashboard/", "executive", 10.0, 150, 250, 280, 150, 0, 15, 300),
    ]
    text = load.report(results, "bench", users=20, seconds=15, workers=5)
    home = next(line for line in text.splitlines() if line.startswith("| partner home"))
    assert "| 0.25 |" in home and "< 150 ms ✘" in home
    dashboard = next(line for line in text.splitlines() if line.startswith("| executive dashboard"))
    assert "| 0.03 |" in dashboard and "< 300 ms ✔" in dashboard
    assert "20 users" in text and "saturated" in text


def test_percentiles_come_from_locusts_response_time_histogram():
    # 90 requests at 40 ms, 6 at 120 ms, 4 at 300 ms.
    histogram = {40.0: 90, 120.0: 6, 300.0: 4}
    assert load._percentile(histogram, 0.50) == 40.0
    assert load._percentile(histogram, 0.95) == 120.0
    assert load._percentile(histogram, 0.99) == 300.0


def test_the_locustfile_asks_for_the_page_with_the_signed_in_session():
    source = load.LOCUSTFILE.format(path="/deals/", headers={"Host": "t.bench.test", "Cookie": "sessionid=abc"})
    compile(source, "locustfile", "exec")  # valid Python (not imported: locust patches the standard library)
    assert "between(0.5, 1.5)" in source
    assert "self.client.get('/deals/', headers={'Host': 't.bench.test', 'Cookie': 'sessionid=abc'})" in source


def test_benchmarks_keep_their_mail_in_memory_unless_told_otherwise(monkeypatch):
    """The synthetic tenants' addresses are made up: a benchmark (and the gunicorn it starts, which
    inherits the environment) must not hand mail for them to a mail server on localhost."""
    import os

    import django

    from bench.support import setup_django

    monkeypatch.setattr(django, "setup", lambda: None)
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    setup_django()
    assert os.environ["EMAIL_BACKEND"] == "django.core.mail.backends.locmem.EmailBackend"
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    setup_django()
    assert os.environ["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
