"""A self-contained HTML page of the demo's results: tables, plots, gradebook, feedback links.

No templates engine and no external assets (the page must open offline): plain HTML with
``pandas.DataFrame.to_html`` tables, PNGs referenced by relative path.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

__all__ = ["Section", "write_report"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; border: 1px solid #eee; margin: .4em 0; }
.pass { color: #1a7f37; font-weight: 600; } .fail { color: #c62828; font-weight: 600; }
pre { background: #f7f7f7; padding: .6em; overflow-x: auto; font-size: .88em; }
"""


class Section:
    """One heading with any mix of subheadings, paragraphs, tables, images and preformatted text."""

    def __init__(self, title: str):
        self.title = title
        self.parts: list[str] = []

    def text(self, text: str, css: str | None = None) -> Section:
        """Add a paragraph (escaped); ``css`` is an optional class (``pass``/``fail``)."""
        cls = f' class="{css}"' if css else ""
        self.parts.append(f"<p{cls}>{html.escape(text)}</p>")
        return self

    def heading(self, text: str) -> Section:
        """Add a subheading (escaped), e.g. one per data set."""
        self.parts.append(f"<h3>{html.escape(text)}</h3>")
        return self

    def table(self, frame: pd.DataFrame, float_format: str = "{:.3f}") -> Section:
        """Add a table (values escaped by pandas)."""
        self.parts.append(
            frame.to_html(index=False, float_format=float_format.format, na_rep="", border=0)
        )
        return self

    def image(self, path: str, alt: str) -> Section:
        """Add an image by relative path."""
        self.parts.append(f'<img src="{html.escape(path)}" alt="{html.escape(alt)}">')
        return self

    def pre(self, text: str) -> Section:
        """Add preformatted text."""
        self.parts.append(f"<pre>{html.escape(text)}</pre>")
        return self

    def links(self, items: dict[str, str]) -> Section:
        """Add a list of links ``{label: relative path}``."""
        lis = "".join(
            f'<li><a href="{html.escape(p)}">{html.escape(k)}</a></li>' for k, p in items.items()
        )
        self.parts.append(f"<ul>{lis}</ul>")
        return self

    def render(self) -> str:
        return f"<h2>{html.escape(self.title)}</h2>\n" + "\n".join(self.parts)


def write_report(path, title: str, sections: list[Section], intro: str = "") -> Path:
    """Write the page to ``path`` and return it.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = write_report(os.path.join(tmp, "r.html"), "T", [Section("S").text("<b>")])
    ...     "&lt;b&gt;" in open(p).read()
    True
    """
    path = Path(path)
    body = "\n".join(s.render() for s in sections)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>\n{body}\n</body></html>\n"
    )
    path.write_text(page, encoding="utf-8")
    return path
