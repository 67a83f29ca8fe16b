"""GitHub workflow commands: escaping, positions, and the per-step annotation limits."""

import re
from dataclasses import replace

from qa.formatters import get_formatter
from qa.formatters.github import escape_data, escape_property
from qa.issue import Category, Issue, Severity
from qa.report import FileResult, Report, Signature

COMMAND = re.compile(r"^::(error|warning|notice)(?: (.*?))?::(.*)$")


def unescape(text):
    return (text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
            .replace("%2C", ",").replace("%25", "%"))


def parse(output):
    commands = []
    for line in output.splitlines():
        level, props, message = COMMAND.match(line).groups()
        fields = dict(p.split("=", 1) for p in props.split(",")) if props else {}
        commands.append((level, {k: unescape(v) for k, v in fields.items()}, unescape(message)))
    return commands


def test_escaping_follows_the_actions_toolkit():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


def test_annotations_carry_exact_positions_and_messages(report):
    commands = parse(get_formatter("github")(report))
    assert commands[0] == ("error", {"file": "bad.txt", "title": "qa"},
                           "bad.txt: not valid UTF-8 at byte offset 3 (invalid start byte)")
    by_title = {}
    for level, fields, message in commands[1:]:
        by_title.setdefault(fields["title"], []).append((level, fields, message))
    level, fields, message = by_title["GR002"][0]
    assert level == "error"
    assert fields == {"file": "docs/guide.txt", "line": "2", "col": "18", "endLine": "2",
                      "endColumn": "20", "title": "GR002"}
    assert message == ('Use "goes" <not go> & it\'s 100% wrong,\nsee: line two '
                       "(grammar.agreement, major, confidence 0.85)\nSuggestions: goes | went")
    level, fields, message = by_title["GR006"][0]
    assert level == "error"  # critical
    assert fields == {"file": "docs/guide.txt", "line": "5", "endLine": "6", "title": "GR006"}
    assert message.endswith("\nIntended: Police said there was no evidence of foul play, and his "
                            "family was convinced he did not commit the crime.")
    assert [level for level, *_ in by_title["GR001"]] == ["warning", "warning"]
    assert "\\x0b" in by_title["GR004"][0][2] and "\x00" not in by_title["GR004"][0][2]
    assert len(commands) == 8  # nothing omitted: no notice


def test_paths_with_commas_and_colons_are_escaped(report):
    guide = replace(report.files[0], path="c:/a,b.txt")
    output = get_formatter("github")(Report(report.signature, (guide,)))
    assert "file=c%3A/a%2Cb.txt," in output
    assert parse(output)[0][1]["file"] == "c:/a,b.txt"


def many_issues_report():
    text = "\n".join(f"Sentence number {i} is here." for i in range(45)) + "\n"
    starts = [text.index(f"number {i} ") for i in range(45)]
    severities = [Severity.CRITICAL] * 2 + [Severity.MAJOR] * 25 + [Severity.MINOR] * 15 + [Severity.MAJOR] * 3
    issues = tuple(Issue("GR002", "grammar.agreement", "grammar", Category.FLUENCY_GRAMMAR, severity,
                         0.5 if i >= 42 else 0.9, start, start + 6, i, f"issue {i}")
                   for i, (start, severity) in enumerate(zip(starts, severities)))
    files = (FileResult("many.txt", text, (), issues),
             *(FileResult(f"bad{i}.txt", error=f"bad{i}.txt: cannot read") for i in range(3)))
    return Report(Signature("0.1.0", "en-US", "0" * 16), files)


def test_annotation_limits_keep_the_worst_and_say_how_many_were_left_out():
    commands = parse(get_formatter("github")(many_issues_report()))
    levels = [level for level, *_ in commands]
    assert levels.count("error") == 10 and levels.count("warning") == 10 and levels.count("notice") == 1
    assert len(commands) <= 50
    messages = [message.split(" (")[0] for _, _, message in commands]
    # 3 file errors + the 2 criticals + 5 most confident majors fill the 10 error slots,
    # in file order; the 3 low-confidence majors at the end are left out.
    assert messages[:3] == ["bad0.txt: cannot read", "bad1.txt: cannot read", "bad2.txt: cannot read"]
    assert messages[3:10] == [f"issue {i}" for i in range(7)]
    assert messages[10:20] == [f"issue {i}" for i in range(27, 37)]
    level, fields, notice = commands[-1]
    assert fields == {"title": "qa"}
    assert notice.startswith("28 more issues not annotated")  # 45 issues, 17 annotated
