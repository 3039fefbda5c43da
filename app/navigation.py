"""The page registry: one entry per page, used by `main.py` for navigation and by the landing page's
lesson map, so a page's title and lesson are written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


@dataclass(frozen=True)
class PageInfo:
    file: str          # in pages/
    title: str
    icon: str          # a Material Symbols name
    section: str
    lesson: str        # one line: what the page teaches

    @property
    def path(self) -> Path:
        return PAGES_DIR / self.file


HOME = PageInfo("home.py", "Lesson map", "map", "", "Where to start, and what data this machine has.")

PAGES: tuple[PageInfo, ...] = (
    PageInfo("data.py", "Data", "dataset", "Data",
             "Inspect images and tables: shapes, classes, pixels, flattening, scaling, the train/test split."),
)


def sections() -> dict[str, list[PageInfo]]:
    """Pages grouped by section, in registry order (the landing page first)."""
    grouped: dict[str, list[PageInfo]] = {HOME.section: [HOME]}
    for page in PAGES:
        grouped.setdefault(page.section, []).append(page)
    return grouped
