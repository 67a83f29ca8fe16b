"""Every format rendered from the shared report, compared with tests/formatters/golden/.

Run `pytest tests/formatters --update-golden` to rewrite them after an intended change.
"""

from pathlib import Path

import pytest

from qa.cli import Format
from qa.formatters import FORMATTERS, get_formatter

GOLDEN = Path(__file__).parent / "golden"
FILES = {"text": "report.txt", "json": "report.json", "sarif": "report.sarif",
         "junit": "report.junit.xml", "github": "report.github.txt", "rdjson": "report.rdjson.json",
         "checkstyle": "report.checkstyle.xml", "gitlab": "report.gitlab.json"}


def test_every_formatter_is_a_cli_format():
    assert set(FORMATTERS) == {f.value for f in Format}


@pytest.mark.parametrize("name", sorted(FILES))
def test_golden(name, report, update_golden):
    rendered = get_formatter(name)(report)
    path = GOLDEN / FILES[name]
    if update_golden:
        path.write_bytes(rendered.encode("utf-8"))
    assert path.exists(), f"{path} missing: run pytest --update-golden"
    assert rendered == path.read_bytes().decode("utf-8")

