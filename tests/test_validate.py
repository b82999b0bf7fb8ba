"""The validation pipeline's own shortcuts: each must give what the plain way gives."""

from __future__ import annotations

import json

import pytest

from coe import validate as validation
from coe.sources import read_source
from coe.validate import validate

from .conftest import EXAMPLES


@pytest.mark.parametrize("parallel_from", [2, 1000])
def test_kept_models_have_the_fields_as_their_files_have_them(
        monkeypatch: pytest.MonkeyPatch, parallel_from: int) -> None:
    # Models come back from worker processes with their fields as JSON text; the
    # export must still see every field, in the file's order, Chinese and all.
    monkeypatch.setattr(validation, "VALIDATE_IN_WORKERS_FROM", parallel_from)
    report = validate([EXAMPLES / "valid"], keep_models=True)
    assert len(report.checked) == 4 and all(c.model for c in report.checked)
    for checked in report.checked:
        assert checked.model is not None
        written = checked.model.fields_as_written()
        data = read_source(checked.path, checked.display).data
        assert written == data and list(written) == list(data)
    assert any("支付网关" in json.dumps(c.model.fields_as_written(), ensure_ascii=False)
               for c in report.checked if c.model)
