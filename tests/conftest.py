import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).parents[1]
SEED = ROOT / "corpora" / "seed" / "000_33b904c69182b1ca.txt"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/formatters/golden/ from the current formatters")


@pytest.fixture
def update_golden(request):
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session", autouse=True)
def session_cache_dir(tmp_path_factory):
    """A cache dir for the test session: results and `qa server` state stay out of the
    user's cache (and earlier sessions' results out of the tests); LanguageTool is shared."""
    from qa.config import defaults
    from qa.engines.languagetool import lt_home

    version = defaults()["languagetool"]["version"]
    installed = lt_home(version)
    cache = tmp_path_factory.mktemp("qa-cache")
    (cache / installed.name).symlink_to(installed)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QA_CACHE_DIR", str(cache))
        yield cache


@pytest.fixture(scope="session")
def lt_server():
    """One real LanguageTool server for the whole test session."""
    from qa.config import defaults
    from qa.engines.languagetool import ServerProcess

    server = ServerProcess(defaults()["languagetool"]["version"])
    yield server
    server.stop()


@pytest.fixture(scope="session")
def lt_url(lt_server):
    return lt_server.url


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project directory (its own git root, so no outer config leaks in)."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path
