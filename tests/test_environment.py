"""The environment files agree: requirements.lock, requirements-data.lock, environment.yml and
pyproject.toml describe one course environment, and requirements-oldest.lock pins exactly
pyproject.toml's lower bounds (what `make test-oldest` runs)."""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)")


def pins(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        match = PIN.match(line.strip())
        if match:
            found[match[1].lower().replace("_", "-")] = match[2]
    return found


LOCK = pins((ROOT / "requirements.lock").read_text())
OLDEST_LOCK = pins((ROOT / "requirements-oldest.lock").read_text())
DATA_LOCK = pins((ROOT / "requirements-data.lock").read_text())
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def environment_yml() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_torch_is_pinned_to_the_course_version():
    assert LOCK["torch"] == OLDEST_LOCK["torch"] == "2.13.0"


def test_environment_yml_pins_exactly_the_lock():
    env = environment_yml()
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pins("\n".join(pip_section)) == {**LOCK, **DATA_LOCK}
    assert "-e ." in pip_section, "conda and Binder users must get the helpers installed too"
    assert "conda-forge" in env["channels"]


def test_python_versions_agree():
    env = environment_yml()
    conda_python = next(d for d in env["dependencies"] if str(d).startswith("python="))
    minimum = PYPROJECT["project"]["requires-python"].removeprefix(">=")
    assert tuple(map(int, conda_python.split("=")[1].split("."))) >= tuple(
        map(int, minimum.split("."))
    )


def test_package_requirements_are_lower_bounds_satisfied_by_the_lock():
    for line in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(line)
        assert all(spec.operator == ">=" for spec in requirement.specifier), line
        name = requirement.name.lower()
        assert name in LOCK, f"{name} is required by the package but not locked"
        assert requirement.specifier.contains(LOCK[name]), f"{name} {LOCK[name]} violates {line}"


def test_lower_bounds_are_exactly_the_oldest_lock():
    # A lower bound is a promise: `make test-oldest` runs the course at exactly these versions.
    bounds = {}
    for line in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        bounds[requirement.name.lower()] = spec.version
    assert bounds == {name: OLDEST_LOCK.get(name) for name in bounds}


def test_oldest_lock_holds_the_same_packages_as_the_lock():
    # The same test stack, only older: a package missing from one would go untested there.
    # pandas 2 needs pytz, scikit-learn 1.9 narwhals: no other difference.
    assert set(OLDEST_LOCK) ^ set(LOCK) == {"pytz", "narwhals"}


def test_data_packages_are_pinned_with_a_hash():
    text = (ROOT / "requirements-data.lock").read_text()
    for name in DATA_LOCK:
        assert re.search(rf"{name}==\S+ \\\n\s+--hash=sha256:[0-9a-f]{{64}}", text, re.I), name


def test_every_top_level_requirement_is_locked():
    for line in (ROOT / "requirements.in").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert Requirement(line).name.lower() in LOCK, line
            assert Requirement(line).name.lower() in OLDEST_LOCK, line


def test_bundled_data_is_declared_as_package_data():
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["helpers.data"]
    shipped = {p.suffix for p in (ROOT / "helpers" / "data").iterdir()}
    assert shipped <= {Path(p).suffix for p in patterns}
