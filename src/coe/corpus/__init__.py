"""All COEs of a repository together, and the queries cross-incident reports need.

`load_corpus` validates the whole folder first and refuses to go on when any COE has
errors: a report that silently left out a broken COE would show fewer incidents, fewer
overdue items and better times than the truth. The modules of this package are plain
functions over a list of `Coe` models, so the CLI reports and the site compute each
figure the same way: `dates` (calendar keys), `figures` (median, percentile, spreads),
`actions`, `counts` (and `coe stats` whole), `recurrence`, `services` and `window` (the
dashboard's). Render draws what they compute and computes nothing of its own.

Calendar keys (month, quarter, the start date that days-to-close count from) use the
moment impact began **in UTC**, whatever offset the COE was written in, so that a COE
written in UTC+08:00 falls in the same month for every reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..model import Coe
from ..problems import Level, Problem
from ..reporters import format_line
from ..validate import validate
from .dates import sort_coes

SHOWN_PROBLEMS = 10  # how many problems a CorpusError's message lists


class CorpusError(Exception):
    """Some COEs have errors, so no report can be trusted; `problems` holds every error."""

    def __init__(self, problems: Sequence[Problem], coes: int) -> None:
        self.problems = tuple(problems)
        self.coes = coes
        files = len({p.path for p in self.problems})
        lines = [format_line(p) for p in self.problems[:SHOWN_PROBLEMS]]
        more = len(self.problems) - SHOWN_PROBLEMS
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__(
            f"{files} of {coes} COEs have errors; fix them (see `coe validate`) "
            "before reporting across COEs:\n" + "\n".join(lines)
        )


@dataclass(frozen=True)
class Corpus:
    """Every COE of a folder as models, in order of start."""

    folder: Path
    coes: tuple[Coe, ...]


def load_corpus(coes_dir: Path, root: Path | None = None) -> Corpus:
    """Validate every COE under `coes_dir` and keep its model.

    Raises `CorpusError` (with every error, paths relative to `root`, default the current
    folder) when any COE has errors, and `NotADirectoryError` when there is no such folder.
    """
    if not coes_dir.is_dir():
        raise NotADirectoryError(f"no COE folder {coes_dir}")
    # The models validation built for the review rules, kept whole: not built again.
    report = validate([coes_dir], root=root, keep_models=True)
    errors = [p for p in report.problems if p.level is Level.ERROR]
    if errors:
        raise CorpusError(errors, len(report.checked))
    return Corpus(coes_dir, tuple(sort_coes(c.model for c in report.checked if c.model)))
