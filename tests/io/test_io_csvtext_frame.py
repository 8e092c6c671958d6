"""Every text column of a frame is neutralised, whether pandas holds it as object or as its string type."""
from __future__ import annotations

import pandas as pd
import pytest

from neurohlh.io.csvtext import neutralise_frame


@pytest.mark.parametrize("dtype", [object, "string"])
def test_text_columns_of_either_kind_are_neutralised(dtype):
    frame = pd.DataFrame({"=cmd": ["-", "=HYPERLINK(\"x\")", "-1.5", None, "EX01"]}, dtype=dtype)
    out = neutralise_frame(frame)
    assert list(out.columns) == ["'=cmd"]
    cells = [None if pd.isna(v) else v for v in out["'=cmd"]]
    assert cells == ["'-", "'=HYPERLINK(\"x\")", "-1.5", None, "EX01"]


def test_numbers_are_left_as_numbers():
    out = neutralise_frame(pd.DataFrame({"n": [-1, 2]}))
    assert out["n"].tolist() == [-1, 2]
