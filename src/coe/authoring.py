"""Starting new COEs and new COE repositories from the shipped templates."""

from __future__ import annotations

import json
import os
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from string import Template

from .repository import COE_FILE, next_free_id
from .resources import schema_path, template_path

MAX_SLUG = 48


def slugify(title: str) -> str:
    """A folder slug from a title, keeping letters of any script: "数据库-故障", "dns-race".

    Latin letters lose their accents; Chinese and other scripts stay as written, since a
    transliteration would be less readable to the people who wrote the title.
    """
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = re.findall(r"[^\W_]+", text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG:
            break
        slug = candidate
    return slug or (words[0][:MAX_SLUG] if words else "coe")


def _yaml_string(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: no value can change type.
    return json.dumps(text, ensure_ascii=False)


def _author() -> str:
    try:
        name = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name or os.environ.get("USER", "") or "your-name"


def schema_modeline(coe_file: Path, root: Path) -> str:
    """The editor hint line pointing at the repository's copy of the schema, if any."""
    schema = root / "schema" / "coe.schema.json"
    if not schema.is_file():
        return ""
    relative = os.path.relpath(schema, coe_file.parent)
    return f"# yaml-language-server: $schema={Path(relative).as_posix()}\n"


@dataclass(frozen=True)
class NewCoe:
    """What `coe new` asks for."""

    title: str
    services: tuple[str, ...]
    severity: int
    day: date


def render_new(new: NewCoe, ident: str, modeline: str) -> str:
    """The text of a new draft COE from templates/coe.yaml."""
    services = new.services or ("your-service",)
    template = Template(template_path("coe.yaml").read_text(encoding="utf-8"))
    start = f"{new.day.isoformat()}T00:00:00Z"
    return modeline + template.substitute(
        id=ident,
        title=_yaml_string(new.title),
        severity=new.severity,
        scope="multi-service" if len(services) > 1 else "single-service",
        author=_yaml_string(_author()),
        services="\n".join(f"  - {_yaml_string(s)}" for s in services),
        start=start,
    )


def create_coe(coes: Path, root: Path, new: NewCoe) -> Path:
    """Write a new draft COE under `coes` and return its coe.yaml path."""
    base = f"{new.day.isoformat()}-{slugify(new.title)}"
    folder = coes / base
    n = 2
    while folder.exists():
        folder = coes / f"{base}-{n}"
        n += 1
    folder.mkdir(parents=True)
    path = folder / COE_FILE
    path.write_text(render_new(new, next_free_id(coes), schema_modeline(path, root)),
                    encoding="utf-8")
    return path


INIT_FILES = {
    "mkdocs.yml": "mkdocs.yml",
    ".gitignore": "gitignore",
    "docs/.gitkeep": "gitkeep",  # mkdocs needs docs_dir; pages of your own go there
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
    ".github/workflows/coe.yml": "workflow-coe.yml",
    "coes/2025-01-15-example-checkout-latency/coe.yaml": "example-coe.yaml",
}


def init_repository(root: Path) -> list[tuple[Path, bool]]:
    """Set `root` up as a COE repository; returns each file and whether it was written.

    An existing file is never overwritten: re-running init only fills in what is missing.
    """
    results = []
    files = {name: template_path(template).read_text(encoding="utf-8")
             for name, template in INIT_FILES.items()}
    files["schema/coe.schema.json"] = schema_path().read_text(encoding="utf-8")
    files[".github/workflows/coe.yml"] = files[".github/workflows/coe.yml"].replace(
        "${COE_TOOL}", "coe-tool")
    for name in ["schema/coe.schema.json", *INIT_FILES]:
        target = root / name
        if target.exists():
            results.append((target, False))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        content = files[name]
        if name.endswith(COE_FILE):
            content = schema_modeline(target, root) + content
        with target.open("x", encoding="utf-8") as stream:  # "x": never overwrite
            stream.write(content)
        results.append((target, True))
    return results
