"""The report's section 1 shows each simulation as HTML tables, with the truth beside the data."""

import re

from teachkit import demo, simulate
from teachkit.demo.report import Section, write_report


def test_gaussian_summary_is_tables_not_text():
    sim = simulate.funnel(seed=1)
    page = demo.report_summary(Section("1"), "funnel", sim).render()
    assert "<pre>" not in page and page.count("<table") == 3
    assert "<h3>funnel</h3>" in page and "100 rows, 20 groups (5 each)" in page
    # the population truth and the realised group draws side by side
    assert re.search(r"<td>truth</td>\s*<td>1</td>\s*<td>0.5</td>", page)
    assert "realised by the 20 groups" in page
    # 12 of 20 groups shown, the rest pointed to
    assert page.count("<td>g1") == 3 and "8 more groups" in page


def test_grants_summary_formats_rates_and_effects():
    sim = simulate.grants(seed=2021)
    page = demo.report_summary(Section("1"), "grants", sim).render()
    assert "<pre>" not in page and page.count("<table") == 3
    assert "<td>Chemical sciences</td>" in page and "%</td>" in page
    assert "direct (discipline held fixed)" in page and "G -&gt; D -&gt; A" in page
    assert "None" not in page


def test_text_summary_unchanged_in_the_terminal():
    text = demo.summarize("funnel", simulate.funnel(seed=1))
    assert text.startswith("funnel\n======\n100 rows, 20 groups (5 each)")
    assert "truth, population:     mu_a 1  mu_b 0.5" in text


def test_report_section_one_has_no_text_dumps(tmp_path):
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()) as out:
        demo.run(seed=2021, out=tmp_path, skip=["fit", "grade"])
    page = (tmp_path / "report.html").read_text()
    assert "<pre>" not in page and page.count("<h3>") == 2
    look = [line for line in out.getvalue().splitlines() if "report.html" in line]
    assert look == [f"  {tmp_path / 'report.html'}   the report (open in a browser)"]


def test_heading_is_escaped(tmp_path):
    page = write_report(tmp_path / "r.html", "T", [Section("S").heading("a<b")]).read_text()
    assert "<h3>a&lt;b</h3>" in page
