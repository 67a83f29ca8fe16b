"""The real LanguageTool server: matches, offsets, lifecycle, failures."""

import os
import signal
import subprocess
import sys

import pytest

from qa.config import defaults
from qa.engines.languagetool import LanguageToolClient, LanguageToolError, ServerProcess, is_healthy

VERSION = defaults()["languagetool"]["version"]


def test_known_errors_are_found_with_code_point_offsets(lt_url):
    client = LanguageToolClient(lt_url, "en-US")
    text = "Café 😀 news: 𝒜 He go to school. Its a nice day 🇵🇱 and this is is wrong."
    found = {m.rule_id: text[m.start:m.end] for m in client.check(text)}
    assert found["HE_VERB_AGR"] == "go"
    assert found["IT_IS"] == "Its"
    assert found["ENGLISH_WORD_REPEAT_RULE"] == "is is"
    assert client.version == VERSION


def test_spans_are_checked_with_absolute_offsets(lt_url):
    client = LanguageToolClient(lt_url, "en-US")
    text = "Fine sentence here.\n\n😀 He go home.\n\nAnother 🎉 one is is here."
    spans = [(0, 19), (21, 34), (36, len(text))]
    found = sorted(text[m.start:m.end] for m in client.check_spans(text, spans))
    assert found == ["go", "is is"]


def test_unsupported_language_is_a_clear_error(lt_url):
    with pytest.raises(LanguageToolError, match="xx-YY"):
        LanguageToolClient(lt_url, "xx-YY")


def test_unreachable_server_is_a_clear_error():
    with pytest.raises(LanguageToolError, match="127.0.0.1:9"):
        LanguageToolClient("http://127.0.0.1:9/", "en-US")


def test_embedded_server_stops_without_leaving_processes():
    server = ServerProcess(VERSION)
    pid = server.pid
    assert is_healthy(server.url)
    server.stop()
    assert server.process.poll() is not None  # reaped: no zombie
    assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split(")")[1].split()[0] != "Z"
    assert not is_healthy(server.url)


def test_server_that_dies_mid_run_reports_the_log_tail():
    server = ServerProcess(VERSION)
    client = LanguageToolClient(server.url, "en-US", server=server)
    assert client.check("He go home.")
    os.kill(server.pid, signal.SIGKILL)
    server.process.wait()
    with pytest.raises(LanguageToolError) as error:
        client.check("He go home again.")
    message = str(error.value)
    assert "exited with code -9" in message
    assert "last lines of" in message and "Server started" in message
    server.stop()


def test_embedded_server_dies_with_its_parent(tmp_path):
    """If qa is killed outright, the java child must not be left behind."""
    script = tmp_path / "start.py"
    script.write_text(
        "import sys, time\n"
        "from qa.engines.languagetool import ServerProcess\n"
        f"server = ServerProcess({VERSION!r})\n"
        "print(server.pid, flush=True)\n"
        "time.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    java_pid = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    for _ in range(100):
        if not os.path.exists(f"/proc/{java_pid}"):
            break
        if open(f"/proc/{java_pid}/stat").read().split(")")[1].split()[0] == "Z":
            break
        import time
        time.sleep(0.1)
    else:
        os.kill(java_pid, signal.SIGKILL)
        pytest.fail("java server outlived its parent")


def test_missing_languagetool_install_says_how_to_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    with pytest.raises(LanguageToolError, match=r"not installed .* run `qa setup`"):
        ServerProcess(VERSION)


def test_missing_java_says_how_to_fix(monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(LanguageToolError, match=r"Java 17 or newer is needed .*install a JDK"):
        ServerProcess(VERSION)
