"""The mark a built site carries of its COE pages, and the check that a site holds them.

A builder that ignores our plugin (Zensical does, in silence) still exits 0, with a site
that has no COE in it. The plan writes `coe-site.json` (the tool's version, the COE pages,
the drafts left out), and `check_site` fails loudly when a built site lacks it, lacks a
page it names, or names fewer COEs than the repository has.
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import __version__

MARKER_URI = "coe-site.json"


class SiteCheckError(Exception):
    """A built site that does not hold the COE pages it should; one line saying why."""


def marker(pages: list[str], hidden_drafts: int) -> bytes:
    """The marker file's bytes: the same pages give the same bytes."""
    document = {"tool": "coe-tool", "version": __version__, "coes": len(pages),
                "hidden_drafts": hidden_drafts, "pages": sorted(pages)}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def check_site(site: Path, repository_coes: int | None = None) -> int:
    """The number of COE pages the site at `site` holds, once each page the marker names
    is there and, when `repository_coes` is given, the marker accounts for that many
    COEs (pages and drafts left out); SiteCheckError otherwise."""
    if not site.is_dir():
        raise SiteCheckError(f"{site}: no such folder; build the site first")
    try:
        document = json.loads((site / MARKER_URI).read_text(encoding="utf-8"))
        pages = [str(page) for page in document["pages"]]
        hidden = int(document.get("hidden_drafts", 0))
    except FileNotFoundError:
        raise SiteCheckError(
            f"{site}: no COE pages ({MARKER_URI} is missing): the site was built without the "
            "coe plugin, which some builders skip without a word") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SiteCheckError(f"{site}: {MARKER_URI} cannot be read ({error})") from None
    missing = [page for page in pages if not (site / f"{page[:-len('.md')]}.html").is_file()]
    if missing:
        raise SiteCheckError(f"{site}: {len(missing)} of the {len(pages)} COE pages are missing, "
                             f"{missing[0][:-len('.md')]}.html first")
    if repository_coes is not None and len(pages) + hidden < repository_coes:
        drafts = f" and {hidden} drafts left out" if hidden else ""
        raise SiteCheckError(f"{site}: the site holds {len(pages)} COE pages{drafts}; "
                             f"the repository has {repository_coes} COEs")
    return len(pages)
