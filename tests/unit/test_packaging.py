"""Installing Timebank prints no warning a volunteer could take for a failure, and ships its data files."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_building_the_package_prints_no_warning_and_keeps_migrations_and_catalogues(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "timebank", source / "timebank", ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    # The step of `pip install` that reads the package configuration and copies the files, without pip.
    built = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py", "--build-lib",
         str(tmp_path / "lib")],
        cwd=source, env=environment, capture_output=True, text=True, timeout=120,
    )
    output = built.stdout + built.stderr
    assert built.returncode == 0, output
    assert [line for line in output.splitlines() if "warning" in line.lower() or "ignored" in line.lower()] == []
    package = tmp_path / "lib" / "timebank"
    assert (package / "migrations" / "env.py").is_file()
    assert (package / "migrations" / "versions" / "0001_members_and_outbox.py").is_file()
    assert (package / "translations" / "fr" / "LC_MESSAGES" / "messages.po").is_file()
    assert not list(package.rglob("__pycache__"))
