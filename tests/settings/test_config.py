"""Settings and schema files: mistakes are named with their file and what is wrong."""

from __future__ import annotations

import pytest

from sheetsync.errors import ConfigError
from sheetsync.settings.config import load_config
from sheetsync.settings.schemas import default_schemas_dir, load_specs


@pytest.mark.parametrize(("text", "problem"), [
    ("risk_matrix: [1, 2\n", "is not valid YAML at line 2"),
    ("- just\n- a list\n", "should be a set of 'name: value' settings"),
    ("colours: red\n", "unknown setting 'colours'"),
    ("risk_matrix:\n  likelihood: [Only one]\n", "risk_matrix.likelihood should list 2 to 10 labels"),
    ("score_bands:\n  - {name: Red}\n", "score band 1 needs a name and a 'from' score"),
    ("score_bands:\n  - {name: Red, from: 1, colour: crimson}\n",
     "score band 'Red': colour 'crimson' should look like #FF0000"),
    ("score_bands:\n  - {name: Red, from: 3}\n", "the first band should start at 1, not 3"),
    ("review_staleness_months: soon\n", "review_staleness_months should be a whole number"),
    ("vocabularies:\n  issue_priority: High\n", "vocabularies.issue_priority should be a list"),
])
def test_config_mistakes_name_the_file(tmp_path, text, problem) -> None:
    path = tmp_path / "ours.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(default_schemas_dir(), path)
    assert str(raised.value).startswith(f"{path}: ")
    assert problem in str(raised.value)


def test_an_override_keeps_every_default_it_does_not_mention(tmp_path) -> None:
    path = tmp_path / "ours.yaml"
    path.write_text("review_staleness_months: 6\n", encoding="utf-8")
    config = load_config(default_schemas_dir(), path)
    assert config.review_staleness_months == 6
    assert [b.name for b in config.bands] == ["Green", "Amber", "Red"]
    assert config.vocabulary("issue_priority") == ("Critical", "High", "Medium", "Low")
    assert config.band_for(12).name == "Amber" and config.band_for(15).name == "Red"


@pytest.mark.parametrize(("old", "new", "problem"), [
    ("type: level", "type: integer", "type 'integer' should be one of"),
    ("severity: warning", "severity: notice", "severity must be 'error' or 'warning'"),
    ('"no", number', "no, number", 'put words such as "no" or "yes" in quotes'),
    ("column: owner\n", "column: risk_owner\n", "names column 'risk_owner', which is not in"),
    ("rule: RR05", "rule: score-check", "rule code 'score-check' should look like RR05"),
])
def test_schema_mistakes_name_the_file(tmp_path, old, new, problem) -> None:
    for source in default_schemas_dir().glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "risk_register.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_specs(tmp_path, load_config(tmp_path))
    assert str(raised.value).startswith(f"{path}: ")
    assert problem in str(raised.value)


def test_every_name_a_schema_may_use_has_its_function() -> None:
    """Schema files are read without loading pandera, against these lists of names."""
    from sheetsync.rules.checks import CHECK_BUILDERS
    from sheetsync.rules.derive import DERIVATIONS
    from sheetsync.settings.schemas import CHECK_NAMES, DERIVATION_NAMES

    assert set(CHECK_BUILDERS) == CHECK_NAMES
    assert set(DERIVATIONS) == DERIVATION_NAMES


def test_a_run_that_reuses_everything_does_not_load_pandas(tmp_path) -> None:
    """The checking machinery (pandas, pandera, openpyxl, calamine) is loaded only to check."""
    import subprocess
    import sys

    code = ("import sys\nfrom pathlib import Path\nfrom sheetsync.results import Settings\n"
            "import sheetsync.weekly.job, sheetsync.cli\nSettings.load()\n"
            "print(sorted(m for m in ('pandas', 'pandera', 'openpyxl', 'python_calamine') "
            "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_a_matrix_of_its_own_does_not_inherit_the_default_matrixs_words(tmp_path) -> None:
    from sheetsync.settings.config import load_config
    from sheetsync.settings.schemas import default_schemas_dir

    ours = tmp_path / "ours.yaml"
    ours.write_text("risk_matrix:\n  likelihood: [Low, Medium, High]\n", encoding="utf-8")
    config = load_config(default_schemas_dir(), ours)
    assert config.scales.level_words["likelihood"] == {}
    assert config.scales.probabilities == ()
    assert config.scales.level_words["impact"][5] == ("Critical", "Extreme", "Severe")
    assert config.scoring.likelihood.words["medium"] == 2
