"""Files the tool ships: the JSON Schema and the templates.

They live at the top of the source repository (`schema/`, `templates/`), where users and
editors find them; the wheel carries copies under `coe/data/`. An editable install has
no copies, so the source tree is the fallback.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).parent / "data"
_SOURCE_TREE = Path(__file__).resolve().parents[2]


def data_path(*parts: str) -> Path:
    """The path of a shipped file, e.g. data_path("schema", "coe.schema.json")."""
    packaged = _PACKAGED.joinpath(*parts)
    if packaged.exists():
        return packaged
    return _SOURCE_TREE.joinpath(*parts)


def schema_path() -> Path:
    """The JSON Schema of the COE format."""
    return data_path("schema", "coe.schema.json")


def template_path(name: str) -> Path:
    """A template file by name, e.g. "coe.yaml"."""
    return data_path("templates", name)
