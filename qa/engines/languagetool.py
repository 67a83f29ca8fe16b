"""LanguageTool: install from Maven Central, run a loopback HTTP server, and query it.

The client talks to the server through language-tool-python. We read the raw
JSON (not its Match objects) because Match drops the rule description and keeps
LanguageTool's UTF-16 lengths; offsets are converted to code points here, at the
boundary, and nowhere else.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from bisect import bisect_right
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import platformdirs

from qa.engines import EngineUnavailable

SERVER_CLASS = "org.languagetool.server.HTTPServer"
ARTIFACTS = ("languagetool-server", "language-en")
LOG_TAIL_LINES = 15


class LanguageToolError(EngineUnavailable):
    """LanguageTool is missing, failed to start, or stopped answering."""


# --- install -------------------------------------------------------------------

def cache_dir() -> Path:
    return Path(os.environ.get("QA_CACHE_DIR") or platformdirs.user_cache_dir("qa"))


def lt_home(version: str) -> Path:
    return cache_dir() / f"languagetool-{version}"


def is_installed(version: str) -> bool:
    return (lt_home(version) / ".complete").is_file()


def install(version: str, log=print) -> Path:
    """Fetch languagetool-server and language-en (with dependencies) from Maven Central."""
    home = lt_home(version)
    if is_installed(version):
        return home
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LanguageToolError(
            "Maven (`mvn`) is needed to fetch LanguageTool from Maven Central; "
            "install it (e.g. `apt-get install maven`) and run `qa setup` again.")
    home.parent.mkdir(parents=True, exist_ok=True)
    log(f"Fetching LanguageTool {version} from Maven Central into {home} ...")
    with tempfile.TemporaryDirectory(dir=home.parent, prefix=".lt-fetch-") as work:
        dependencies = "".join(
            f"<dependency><groupId>org.languagetool</groupId><artifactId>{a}</artifactId>"
            f"<version>{version}</version></dependency>" for a in ARTIFACTS)
        Path(work, "pom.xml").write_text(
            '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
            "<groupId>qa</groupId><artifactId>lt-fetch</artifactId><version>1</version>"
            f"<dependencies>{dependencies}</dependencies></project>")
        result = subprocess.run(
            [mvn, "-q", "-B", "dependency:copy-dependencies", "-DoutputDirectory=dist/lib"],
            cwd=work, capture_output=True, text=True)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-LOG_TAIL_LINES:])
            raise LanguageToolError(f"fetching LanguageTool {version} with Maven failed:\n{tail}")
        Path(work, "dist", ".complete").write_text(version)
        if home.exists():
            shutil.rmtree(home)
        Path(work, "dist").rename(home)
    return home


def java_command() -> str:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home, "bin", "java")) if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise LanguageToolError(
            "Java 17 or newer is needed to run LanguageTool but `java` was not found; install a "
            "JDK (e.g. `apt-get install openjdk-17-jre-headless`) or use --lt-server URL.")
    return java


# --- server process ------------------------------------------------------------

def _die_with_parent() -> None:  # runs in the child before exec (Linux only)
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(urllib.parse.urljoin(url, "v2/languages"), timeout=timeout) as r:
            return r.status == 200
    except (OSError, ValueError):
        return False


def _tail(path: Path) -> str:
    try:
        lines = path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(lines[-LOG_TAIL_LINES:]) or "(empty log)"


class ServerProcess:
    """A LanguageTool HTTP server on a loopback port, started and stopped by us."""

    def __init__(self, version: str, port: int | None = None, detached: bool = False,
                 startup_timeout: float = 120.0) -> None:
        home = lt_home(version)
        if not is_installed(version):
            raise LanguageToolError(
                f"LanguageTool {version} is not installed (looked in {home}); run `qa setup` "
                "(or `make setup`) to fetch it from Maven Central, or use --lt-server URL.")
        java = java_command()
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = cache_dir() / f"languagetool-{self.port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [java, "-cp", "lib/*", SERVER_CLASS, "--port", str(self.port), "--allow-origin", "*"],
                cwd=home, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=detached, preexec_fn=None if detached else _die_with_parent)
        self._wait_until_healthy(startup_timeout)

    @property
    def pid(self) -> int:
        return self.process.pid

    def _wait_until_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LanguageToolError(
                    f"LanguageTool server exited with code {self.process.returncode} while "
                    f"starting; last lines of {self.log_path}:\n{_tail(self.log_path)}")
            if is_healthy(self.url, timeout=1.0):
                return
            time.sleep(0.25)
        self.stop()
        raise LanguageToolError(
            f"LanguageTool server did not answer within {timeout:.0f}s; "
            f"last lines of {self.log_path}:\n{_tail(self.log_path)}")

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def describe_failure(self) -> str:
        state = "is running" if self.is_alive() else f"exited with code {self.process.returncode}"
        return f"embedded server {state}; last lines of {self.log_path}:\n{_tail(self.log_path)}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_path.unlink(missing_ok=True)


# --- long-lived server (`qa server start|stop|status`) ---------------------------

def state_path() -> Path:
    return cache_dir() / "server.json"


def read_state() -> dict[str, Any] | None:
    try:
        state = json.loads(state_path().read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and "url" in state and "pid" in state else None


def running_server_url() -> str | None:
    """URL of a healthy `qa server`, or None."""
    state = read_state()
    if state and _pid_alive(state["pid"]) and is_healthy(state["url"], timeout=1.0):
        return state["url"]
    return None


def start_background_server(version: str, port: int | None, startup_timeout: float) -> dict[str, Any]:
    if (url := running_server_url()) is not None:
        return read_state() or {"url": url}
    server = ServerProcess(version, port, detached=True, startup_timeout=startup_timeout)
    log = server.log_path.with_name("server.log")
    server.log_path.rename(log)  # the process keeps writing to the renamed file
    state = {"pid": server.pid, "port": server.port, "url": server.url, "version": version,
             "log": str(log), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    write_atomic_text(state_path(), json.dumps(state, indent=2))
    return state


def stop_background_server() -> dict[str, Any] | None:
    state = read_state()
    if state is None:
        return None
    pid = int(state["pid"])
    if _pid_alive(pid):
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not _pid_alive(pid):
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
    state_path().unlink(missing_ok=True)
    return state


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError):
        return False
    try:  # a zombie still answers kill(0); treat it as gone
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def write_atomic_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def server_version(url: str, timeout: float = 10.0) -> str:
    """The version a running server reports, with one small request and no client library."""
    data = urllib.parse.urlencode({"language": "en-US", "text": ""}).encode()
    try:
        with urllib.request.urlopen(urllib.parse.urljoin(url, "v2/check"), data, timeout=timeout) as r:
            return str(json.load(r)["software"]["version"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise LanguageToolError(f"LanguageTool server at {url} failed: {error}") from None


# --- client --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LTMatch:
    """One LanguageTool match with code-point offsets into the checked text."""

    start: int
    end: int
    rule_id: str
    sub_id: str | None
    description: str
    category_id: str
    issue_type: str
    message: str
    short_message: str
    replacements: tuple[str, ...]


def utf16_to_codepoints(text: str):
    """Return a function mapping UTF-16 code-unit offsets in text to code-point offsets."""
    astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
    if not astral:
        return lambda offset: offset
    # The k-th astral character sits at UTF-16 offset astral[k] + k and occupies two units.
    astral_utf16 = [index + k for k, index in enumerate(astral)]

    def convert(offset: int) -> int:
        before = bisect_right(astral_utf16, offset - 1)  # astral chars starting before offset
        return offset - before

    return convert


def parse_matches(response: dict[str, Any], text: str) -> list[LTMatch]:
    convert = utf16_to_codepoints(text)
    matches = []
    for raw in response.get("matches", ()):
        rule = raw.get("rule", {})
        start = convert(raw["offset"])
        end = convert(raw["offset"] + raw["length"])
        matches.append(LTMatch(
            start=start, end=max(end, start),
            rule_id=rule.get("id", "UNKNOWN"), sub_id=rule.get("subId"),
            description=rule.get("description", ""),
            category_id=rule.get("category", {}).get("id", ""),
            issue_type=rule.get("issueType", ""),
            message=raw.get("message", ""), short_message=raw.get("shortMessage", ""),
            replacements=tuple(r["value"] for r in raw.get("replacements", ()) if "value" in r),
        ))
    return matches


def chunk_spans(units: Sequence[tuple[int, int]], limit: int) -> Iterator[tuple[int, int]]:
    """Pack consecutive (start, end) units into spans of at most limit characters.

    Units are sentences in paragraph order; a single unit longer than limit is
    emitted alone (the caller splits it further with split_long()).
    """
    chunk_start = chunk_end = None
    for start, end in units:
        if chunk_start is not None and end - chunk_start > limit:
            yield chunk_start, chunk_end
            chunk_start = None
        if chunk_start is None:
            chunk_start = start
        chunk_end = end
    if chunk_start is not None:
        yield chunk_start, chunk_end


def split_long(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """Split text[start:end] into pieces of at most limit characters, at whitespace when possible."""
    while end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        cut = cut + 1 if cut > 0 else start + limit
        yield start, cut
        start = cut
    if start < end:
        yield start, end


class LanguageToolClient:
    def __init__(self, url: str, language: str, workers: int = 2, server: ServerProcess | None = None):
        import language_tool_python

        self.url = url
        self.server = server
        self.workers = workers
        try:
            self._tool = language_tool_python.LanguageTool(language, remote_server=url)
        except ValueError as error:
            raise LanguageToolError(f"language {language!r} is not supported by the server: {error}") from None
        except Exception as error:  # requests/LanguageToolError: unreachable server
            raise self._failure(error) from None
        self._check_url = urllib.parse.urljoin(self._tool._url, "check")
        self.version = self._query("")["software"]["version"]

    def _query(self, text: str, annotation: list[dict[str, str]] | None = None) -> dict[str, Any]:
        # language-tool-python builds the request (language, rules); we keep the raw JSON.
        params = self._tool._create_params(text)
        if annotation is not None:
            # language-tool-python 3.4.0 has no API for LanguageTool's markup-aware `data`
            # parameter, so it goes in place of `text` through the same client.
            del params["text"]
            params["data"] = json.dumps({"annotation": annotation}, ensure_ascii=False)
        try:
            return self._tool._query_server(self._check_url, params, method="post")
        except Exception as error:
            raise self._failure(error) from None

    def _failure(self, error: Exception) -> LanguageToolError:
        detail = f"\n{self.server.describe_failure()}" if self.server else ""
        return LanguageToolError(f"LanguageTool server at {self.url} failed: {error}{detail}")

    def check(self, text: str, annotation: list[dict[str, str]] | None = None) -> list[LTMatch]:
        """Matches in text. With an annotation (LanguageTool's `data`: "text" and "markup"
        items, optionally with "interpretAs", that concatenate to text), only the text items
        are checked, and offsets still index text because markup counts in them."""
        return parse_matches(self._query(text, annotation), text)

    def check_spans(self, text: str, spans: Sequence[tuple[int, int]],
                    progress: Callable[[int], None] | None = None,
                    annotate: Callable[[int, int], list[dict[str, str]]] | None = None) -> list[LTMatch]:
        """Check text[start:end] for each span, a few at a time; offsets are made absolute.

        progress, if given, is called with the number of characters each span covered;
        annotate, if given, returns the annotation for text[start:end] (see check()).
        """
        def run(span: tuple[int, int]) -> list[LTMatch]:
            start, end = span
            annotation = annotate(start, end) if annotate else None
            return [_shift(m, start) for m in self.check(text[start:end], annotation)]

        matches: list[LTMatch] = []
        with ThreadPoolExecutor(max(1, min(self.workers, len(spans)))) as pool:
            for (start, end), found in zip(spans, pool.map(run, spans)):
                matches.extend(found)
                if progress:
                    progress(end - start)
        return matches

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()


def _shift(match: LTMatch, by: int) -> LTMatch:
    return replace(match, start=match.start + by, end=match.end + by)
