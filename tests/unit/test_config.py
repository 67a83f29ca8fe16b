import pytest

from qa.config import ConfigError, load_config


def test_defaults_apply_without_a_project_file(tmp_path):
    (tmp_path / ".git").mkdir()
    config = load_config(tmp_path)
    assert config["language"] == "en-US"
    assert config["fail_on"] == "major"
    assert config.sources["fail_on"] == "defaults"


def test_pyproject_tool_qa_is_found_walking_up(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.qa]\nfail_on = "critical"\nignore = ["GR005"]\n')
    sub = tmp_path / "docs" / "a"
    sub.mkdir(parents=True)
    config = load_config(sub)
    assert config["fail_on"] == "critical"
    assert config["ignore"] == ["GR005"]
    assert config.sources["fail_on"].endswith("pyproject.toml")


def test_qa_toml_wins_over_pyproject_and_cli_wins_over_both(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.qa]\nfail_on = "critical"\n')
    (tmp_path / "qa.toml").write_text('fail_on = "minor"\n')
    assert load_config(tmp_path)["fail_on"] == "minor"
    assert load_config(tmp_path, overrides={"fail_on": "never"})["fail_on"] == "never"


def test_unknown_key_names_file_and_key(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "qa.toml").write_text('fail_onn = "minor"\n')
    with pytest.raises(ConfigError, match=r"qa\.toml: unknown key 'fail_onn'"):
        load_config(tmp_path)


def test_unknown_nested_key_and_bad_types(tmp_path):
    (tmp_path / ".git").mkdir()
    path = tmp_path / "qa.toml"
    path.write_text("[languagetool]\nchunk = 5\n")
    with pytest.raises(ConfigError, match=r"unknown key 'languagetool\.chunk'"):
        load_config(tmp_path)
    path.write_text('select = "GR"\n')
    with pytest.raises(ConfigError, match=r"'select' must be list"):
        load_config(tmp_path)
    path.write_text('fail_on = "sometimes"\n')
    with pytest.raises(ConfigError, match=r"fail_on' must be one of"):
        load_config(tmp_path)


@pytest.mark.parametrize("key, value, accepted", [("budget", 0.4, True), ("budget", 1.5, False),
                                                  ("threshold", 0.7, True), ("threshold", -0.1, False)])
def test_inversion_threshold_and_budget_must_be_shares(tmp_path, key, value, accepted):
    (tmp_path / ".git").mkdir()
    (tmp_path / "qa.toml").write_text(f"[inversion]\n{key} = {value}\n")
    if accepted:
        assert load_config(tmp_path).section("inversion")[key] == value
    else:
        with pytest.raises(ConfigError, match=rf"qa\.toml: 'inversion\.{key}' must be between 0 and 1"):
            load_config(tmp_path)


def test_invalid_toml_is_a_config_error(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "qa.toml").write_text("select = [\n")
    with pytest.raises(ConfigError, match=r"qa\.toml: invalid TOML"):
        load_config(tmp_path)


def test_config_hash_changes_with_values(tmp_path):
    (tmp_path / ".git").mkdir()
    assert load_config(tmp_path).hash != load_config(tmp_path, overrides={"ignore": ["GR001"]}).hash
