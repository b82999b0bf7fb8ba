"""The mkdocs plugin `coe`: the only module that imports mkdocs.

Events, and why each:
- on_startup: defining it keeps the plugin object alive across `mkdocs serve` rebuilds;
- on_config: resets per-build state, resolves the COE folder, "today" and the assets;
- on_pre_build: validates and plans the site before mkdocs cleans `site_dir`, so a bad
  COE stops the build with the previous site still in place;
- on_files: adds the planned pages and files with `File.generated` (never writing into
  `docs_dir`, which `mkdocs serve` watches: that would rebuild forever);
- on_page_content / on_post_page: put back the HTML blocks and the SVGs that the pages
  carried as placeholders, so that Markdown (and, for SVGs, search) does not parse them;
- on_serve: watches the COE folder, so editing a COE rebuilds the preview;
- with `search: pagefind`, on_post_build indexes the written site with Pagefind (search.py).
"""

from __future__ import annotations

import gc
import logging
import os
from array import array
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import get_relative_url

from .problems import Level
from .render.diagrams import DiagramError
from .reporters import format_line
from .repository import find_coe_files
from .review import SettingsError, settings_from_config
from .resources import data_path
from .runtime import give_back
from .site import search as site_search
from .site.marker import SiteCheckError, check_site
from .site.plan import ASSETS, INDEX_URI, Plan, ServeMemo, plan_site
from .times import resolve_today

log = get_plugin_logger(__name__)
# The generated pages in the navigation, in reading order; docs/ pages come after them.
NAV_ORDER = ("index.md", "dashboard.md", INDEX_URI, "actions/index.md", "recurrence.md",
             "services/index.md")
SECTION_TITLES = {INDEX_URI: "All COEs", "actions/index.md": "Action items",
                  "services/index.md": "Services"}
ASSET_URI = "assets/coe"


class CoeConfig(base.Config):
    coes_dir = c.Type(str, default="coes")
    rules = c.Type(dict, default={})
    drafts = c.Choice(("show", "hide"), default="show")
    today = c.Optional(c.Type(str))
    cache_dir = c.Type(str, default=".cache")
    # material: material's search plugin (lunr), one index the browser loads whole;
    # pagefind: Pagefind's index in fragments, for large sites (README, "Search on large sites").
    search = c.Choice(site_search.CHOICES, default="material")


class CoePlugin(BasePlugin[CoeConfig]):
    """Builds a page for every COE, an index of them all, and the assets they need."""

    def __init__(self) -> None:
        self.plan = Plan()
        self.root = Path.cwd()
        self.memo: ServeMemo | None = None
        self.progress: Any = None  # set by `coe build`: called with (pages done, total)
        self.done = 0
        self.search_url: str | None = None  # the Search page, when the header gets a box for it

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # `mkdocs serve` keeps this plugin object from one rebuild to the next: it keeps
        # the rendered pages too, so that a rebuild renders only what changed.
        self.memo = ServeMemo() if command == "serve" else None
        # material's search segments Chinese with jieba, which announces its dictionary
        # on stderr at every build.
        logging.getLogger("jieba").setLevel(logging.WARNING)

    def on_config(self, config: Any) -> Any:
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.plan = Plan()
        self.done = 0
        assets = [("extra_css", "coe.css"), ("extra_javascript", "coe.js")]
        if self.pagefind:
            try:
                site_search.pagefind_executable()
            except site_search.SearchError as error:
                raise PluginError(f"coe: {error}") from None
            assets += [("extra_css", "coe-search.css"), ("extra_javascript", "coe-search.js")]
        for kind, name in assets:
            uri = f"{ASSET_URI}/{name}"
            if uri not in [str(item) for item in config[kind]]:
                config[kind].append(uri)
        return config

    @property
    def pagefind(self) -> bool:
        return self.config.search == "pagefind"

    @staticmethod
    def material_search(config: Any) -> bool:
        """Whether material's own search plugin is on: it keeps the header's search box."""
        plugin = config.plugins.get("material/search") or config.plugins.get("search")
        return plugin is not None and getattr(plugin.config, "enabled", True)

    @property
    def coes_dir(self) -> Path:
        return self.root / self.config.coes_dir

    def on_pre_build(self, *, config: Any) -> None:
        try:
            today = resolve_today(self.config.today)
        except ValueError:
            raise PluginError(f"coe: today must be a date written YYYY-MM-DD, got {self.config.today!r}")
        if not self.coes_dir.is_dir():
            raise PluginError(f"coe: no COE folder {self.coes_dir}; set coes_dir in mkdocs.yml")
        if self.memo is not None:
            # A rebuild while serving: the last build's pages and nav hold one another
            # (cycles), so they leave memory only when collected; then the system can
            # have their memory back before this build plans.
            self.plan = Plan()
            gc.collect()
            give_back()
        docs_index = Path(config.docs_dir) / "index.md"
        try:
            settings = settings_from_config(self.config.rules, today)
            self.plan = plan_site(self.coes_dir, today, self.config.drafts,
                                  self.root / self.config.cache_dir,
                                  home=not docs_index.exists(), root=self.root,
                                  settings=settings, memo=self.memo)
        except SettingsError as error:
            raise PluginError(f"coe: rules: {error}") from None
        except DiagramError as error:
            raise PluginError(f"coe: {error}") from None
        # Review warnings are for the COE's authors and reviewers (`coe validate`, the
        # page's review notes); they do not make a `--strict` site build fail. A rule a
        # team raised to an error does.
        for problem in self.plan.problems:
            (log.error if problem.level is Level.ERROR else log.info)(format_line(problem))
        if self.plan.errors:
            raise PluginError(
                f"coe: {len(self.plan.errors)} errors in COEs; the site was not built"
            )

    def on_files(self, files: Files, *, config: Any) -> Files:
        for uri, content in self.plan.pages.items():
            existing = files.get_file_from_path(uri)
            if existing is not None:
                files.remove(existing)
            inclusion = (InclusionLevel.INCLUDED if uri in self.plan.nav_pages
                         else InclusionLevel.NOT_IN_NAV)
            generated = File.generated(config, uri, content=content, inclusion=inclusion)
            source = self.plan.edit_paths.get(uri)
            if source is not None:
                generated.edit_uri = Path(os.path.relpath(source, config.docs_dir)).as_posix()
            files.append(generated)
        for uri, path in self.plan.files.items():
            files.append(File.generated(config, uri, abs_src_path=str(path),
                                        inclusion=InclusionLevel.NOT_IN_NAV))
        for uri, content in self.plan.data.items():
            files.append(File.generated(config, uri, content=content,
                                        inclusion=InclusionLevel.NOT_IN_NAV))
        for name in ASSETS + (site_search.ASSETS if self.pagefind else ()):
            files.append(File.generated(config, f"{ASSET_URI}/{name}",
                                        abs_src_path=str(data_path("templates", "site", "assets", name))))
        self.search_url = None
        if self.pagefind:
            page = File.generated(config, site_search.SEARCH_URI, content=site_search.search_page(),
                                  inclusion=InclusionLevel.NOT_IN_NAV)
            files.append(page)
            if self.material_search(config):
                log.info("coe: search: pagefind, and material's search plugin is on too: "
                         "remove `- search` from plugins to drop its index")
            else:
                self.search_url = page.url
        return files

    def on_nav(self, nav: Any, *, config: Any, files: Files) -> Any:
        # mkdocs lists files before folders and names a folder's section after it
        # ("Coes"); readers should see the reports in reading order, with their titles.
        def first_uri(item: Any) -> str:
            if getattr(item, "file", None) is not None:
                return item.file.src_uri
            children = getattr(item, "children", None) or []
            return first_uri(children[0]) if children else ""

        order = {uri: rank for rank, uri in enumerate(NAV_ORDER)}
        for item in nav.items:
            title = SECTION_TITLES.get(first_uri(item))
            if item.is_section and title:
                item.title = title
        nav.items.sort(key=lambda item: order.get(first_uri(item), len(order)))
        return nav

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Files) -> str:
        # The search plugin reads page.content next (on_page_context): give it the
        # pages' text without the markup, which it would otherwise parse tag by tag.
        search = page.meta.get("search")
        if isinstance(search, dict) and search.get("exclude"):
            return html  # not indexed: on_post_page fills the placeholders
        return self.plan.searchable_html(html)

    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        output = self.plan.fill_placeholders(self.plan.fill_html(output))
        if self.pagefind:
            output = site_search.prepare_page(
                output, index=site_search.indexed(page.file.src_uri, self.plan.pages),
                search_url=None if self.search_url is None else get_relative_url(self.search_url, page.url))
        if page.file.src_uri in self.plan.pages:
            # Written, and indexed before (on_page_context): mkdocs would keep every
            # generated page's HTML to the end of the build, 24 MB at 1,000 COEs.
            page.content = None
        if self.progress is not None:
            self.done += 1
            self.progress(self.done, len(self.plan.pages))
        return output

    def on_post_build(self, *, config: Any) -> None:
        if self.pagefind:
            try:
                site_search.run_pagefind(Path(config.site_dir))
            except site_search.SearchError as error:
                raise PluginError(f"coe: {error}") from None

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        server.watch(str(self.coes_dir))
        return server


class BuildFailed(Exception):
    """The site could not be built; the message says why, the old site is untouched."""


def _staging(final: Path, label: str, pid: int | None = None) -> Path:
    return final.parent / f".{final.name}.{label}-{pid or os.getpid()}"


def _clear_stale(final: Path) -> None:
    """Remove what builds killed midway left beside `final` (`.site.building-<pid>`, and
    `.site.old-<pid>`, put back when the kill came between the two renames and left no
    site); only folders whose process is gone, so that a build running beside this one
    keeps its own."""
    import shutil

    for label in ("building", "old"):
        for path in final.parent.glob(f".{final.name}.{label}-*"):
            pid = path.name.rsplit("-", 1)[1]
            if not pid.isdigit() or _running(int(pid)):
                continue
            if label == "old" and not final.exists():
                os.replace(path, final)
            else:
                shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: alive
    return True


def _removable(tree: Path) -> str | None:
    """Why `tree` could not be removed whole, or None: a folder this user may not change,
    or (on Linux) a file or folder marked immutable or append-only, which stops root too.
    Asked before the old site is swapped out, so that a build that could not finish the
    swap leaves the old site as it was rather than half removed."""
    for folder, _, files in os.walk(tree):
        for path in [folder, *(os.path.join(folder, name) for name in files)]:
            if _pinned(path):
                return f"{path}: marked immutable or append-only (chattr)"
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"{folder}: this user may not remove what it holds"
    return None


def _pinned(path: str) -> bool:
    """Whether Linux marks `path` immutable or append-only (FS_IOC_GETFLAGS)."""
    import sys

    if not sys.platform.startswith("linux") or os.path.islink(path):
        return False
    import fcntl

    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        flags = array("i", [0])
        fcntl.ioctl(descriptor, 0x8008_6601, flags, True)  # FS_IOC_GETFLAGS
        return bool(flags[0] & (0x10 | 0x20))  # FS_IMMUTABLE_FL, FS_APPEND_FL
    except OSError:
        return False  # a file system without such flags
    finally:
        os.close(descriptor)


def build_site(config_file: Path, site_dir: Path | None = None, strict: bool = False,
               today: str | None = None, progress: Any = None) -> tuple[Path, Plan]:
    """Build the site aside, then swap it in: a failed build leaves the old site as it was.

    `progress(done, total)` is called as pages are written. Returns the site folder and
    the plan the plugin built from.
    """
    import shutil

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException

    try:
        config = load_config(str(config_file), strict=strict)
    except (ConfigurationError, MkDocsException, OSError) as error:
        raise BuildFailed(f"{config_file}: {error}") from None
    final = Path(site_dir or config.site_dir).resolve()
    _clear_stale(final)
    staging = _staging(final, "building")
    config.site_dir = str(staging)
    plugin = config.plugins.get("coe")
    if not isinstance(plugin, CoePlugin):
        raise BuildFailed(f"{config_file}: the coe plugin is not in plugins; add `- coe`")
    if today:
        plugin.config.today = today
    plugin.progress = progress
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
        try:  # a site that lacks COE pages (another plugin, a theme) is no site to publish
            check_site(staging, len(find_coe_files(plugin.coes_dir)))
        except SiteCheckError as error:
            raise BuildFailed(str(error).replace(str(staging), str(final))) from None
        _swap(staging, final)
    except (Abort, MkDocsException) as error:
        raise BuildFailed(str(error).strip() or "the build failed") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        config.plugins.on_shutdown()
    return final, plugin.plan


def _swap(built: Path, final: Path) -> None:
    """Put the site built at `built` in the place of `final`, whole or not at all."""
    import shutil

    unmovable = _removable(final) if final.exists() else None
    if unmovable:
        raise BuildFailed(f"{final}: the site cannot be replaced, {unmovable}")
    old = _staging(final, "old")
    moved = final.exists()
    try:
        if moved:
            os.replace(final, old)
        try:
            os.replace(built, final)
        except BaseException:  # Ctrl-C or a refusal between the two renames: put it back
            if moved:
                os.replace(old, final)
            raise
    except OSError as error:
        raise BuildFailed(f"{final}: the site cannot be replaced ({error.strerror or error})") from None
    shutil.rmtree(old, ignore_errors=True)


def serve_site(config_file: Path, dev_addr: str | None = None) -> None:
    """Preview the site with live reload; editing a COE rebuilds it."""
    from mkdocs.commands.serve import serve

    options = {"dev_addr": dev_addr} if dev_addr else {}
    serve(str(config_file), livereload=True, **options)
