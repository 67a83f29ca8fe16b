"""Configuration: shipped defaults, then one discovered project file, then CLI flags."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from qa.issue import Severity

PROJECT_FILES = ("qa.toml", ".qa.toml", "pyproject.toml")
FAIL_ON_CHOICES = ("never", "minor", "major", "critical")
OPEN_TABLES = ("severity", "terms", "per_file_ignores")


class ConfigError(ValueError):
    """Invalid configuration; the message names the file and the key."""


@dataclass(frozen=True)
class QAConfig:
    values: Mapping[str, Any]
    sources: Mapping[str, str] = field(default_factory=dict)  # top-level key -> where it came from

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def section(self, name: str) -> Mapping[str, Any]:
        return self.values[name]

    def base_dir(self, key: str) -> Path:
        """Directory that relative paths in `key` are relative to: its config file's, else cwd."""
        origin = self.sources.get(key, "defaults")
        return Path(origin).parent.resolve() if origin not in ("defaults", "command line") else Path.cwd()

    def path(self, key: str) -> Path | None:
        """The file named by a path-valued key, resolved against base_dir(key); None if empty."""
        return self.base_dir(key) / self.values[key] if self.values[key] else None

    @property
    def hash(self) -> str:
        canonical = json.dumps(self.values, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def defaults() -> dict[str, Any]:
    return tomllib.loads(resources.files("qa").joinpath("defaults.toml").read_text("utf-8"))


def defaults_text() -> str:
    return resources.files("qa").joinpath("defaults.toml").read_text("utf-8")


def find_project_file(start: Path) -> Path | None:
    """First qa.toml, .qa.toml or pyproject.toml with [tool.qa], walking up to the repo root."""
    directory = start.resolve()
    if not directory.is_dir():
        directory = directory.parent
    for current in (directory, *directory.parents):
        for name in PROJECT_FILES:
            candidate = current / name
            if candidate.is_file() and (name != "pyproject.toml" or _qa_table(candidate) is not None):
                return candidate
        if (current / ".git").exists():
            return None
    return None


def load_config(start: Path | None = None, config_file: Path | None = None,
                overrides: Mapping[str, Any] | None = None) -> QAConfig:
    values = defaults()
    sources = {key: "defaults" for key in values}
    path = config_file or find_project_file(start or Path.cwd())
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"{config_file}: config file not found")
    if path is not None:
        table = _qa_table(path)
        if table is None:
            raise ConfigError(f"{path}: no [tool.qa] table")
        _merge(values, table, str(path), sources)
    for key, value in (overrides or {}).items():
        if value is not None:
            _merge(values, {key: value}, "command line", sources)
    _validate_values(values, sources)
    return QAConfig(values, sources)


def _qa_table(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML ({error})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read ({error})") from None
    if path.name == "pyproject.toml":
        return data.get("tool", {}).get("qa")
    return data


def _merge(values: dict[str, Any], table: Mapping[str, Any], origin: str,
           sources: dict[str, str], prefix: str = "") -> None:
    for key, value in table.items():
        if key not in values:
            raise ConfigError(f"{origin}: unknown key {prefix + key!r}")
        current = values[key]
        if isinstance(current, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{origin}: {prefix + key!r} must be a table")
            if key in OPEN_TABLES:  # keys are rule codes, globs or terms
                current.update(value)
            else:
                _merge(current, value, origin, sources, prefix=f"{prefix}{key}.")
        else:
            if not _same_type(current, value):
                raise ConfigError(
                    f"{origin}: {prefix + key!r} must be {type(current).__name__}, got {value!r}")
            values[key] = list(value) if isinstance(value, (list, tuple)) else value
        if not prefix:
            sources[key] = origin


def _same_type(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    if isinstance(default, list):
        return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
    return isinstance(value, type(default))


def _validate_values(values: Mapping[str, Any], sources: Mapping[str, str]) -> None:
    if values["fail_on"] not in FAIL_ON_CHOICES:
        raise ConfigError(f"{sources['fail_on']}: 'fail_on' must be one of "
                          f"{', '.join(FAIL_ON_CHOICES)}, got {values['fail_on']!r}")
    if values["min_severity"] not in {s.value for s in Severity}:
        raise ConfigError(f"{sources['min_severity']}: 'min_severity' must be minor, major or "
                          f"critical, got {values['min_severity']!r}")
    if not 0.0 <= float(values["min_confidence"]) <= 1.0:
        raise ConfigError(f"{sources['min_confidence']}: 'min_confidence' must be between 0 and 1")
    for key in ("threshold", "budget"):
        if not 0.0 <= float(values["inversion"][key]) <= 1.0:
            raise ConfigError(f"{sources.get('inversion', 'defaults')}: 'inversion.{key}' must be between "
                              f"0 and 1 (0: the model's), got {values['inversion'][key]!r}")
    for pattern, selectors in values["per_file_ignores"].items():
        if not isinstance(selectors, list) or not all(isinstance(s, str) for s in selectors):
            raise ConfigError(f"{sources['per_file_ignores']}: per_file_ignores[{pattern!r}] must be "
                              f"a list of rule codes, got {selectors!r}")
    for term, preferred in values["terms"].items():
        if not isinstance(preferred, str):
            raise ConfigError(f"{sources['terms']}: terms[{term!r}] must be a string, got {preferred!r}")
    for rule, severity in values["severity"].items():
        if severity not in {s.value for s in Severity}:
            raise ConfigError(f"{sources['severity']}: severity for {rule!r} must be "
                              f"minor, major or critical, got {severity!r}")
