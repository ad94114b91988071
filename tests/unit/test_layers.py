"""The layers of the package (docs/ARCHITECTURE.md) are kept by import-linter, whose contracts live in setup.cfg."""
import os
import shutil
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), str(root / "setup.cfg"), "--no-cache"], cwd=root,
                          env=environment, capture_output=True, text=True, timeout=300)


def test_every_import_keeps_the_layers_the_ledger_core_and_no_cycles():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def import_cycles(root: Path) -> list[list[str]]:
    """The groups of modules of timebank/ that import one another, directly or through others (Tarjan)."""
    import grimp

    sys.path.insert(0, str(root))
    try:
        graph = grimp.build_graph("timebank", exclude_type_checking_imports=True, cache_dir=None)
    finally:
        sys.path.remove(str(root))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = stack[stack.index(module):]
            del stack[stack.index(module):]
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_of_the_package_imports_itself_through_others():
    assert import_cycles(ROOT) == []


def test_every_module_of_the_package_sits_in_a_layer():
    """A new module must be given its place in setup.cfg, or the layers would not see it."""
    import configparser

    import grimp

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    layered = [name.strip() for line in config["importlinter:contract:layers"]["layers"].split("\n")
               for name in line.split(":") if name.strip()]
    graph = grimp.build_graph("timebank", cache_dir=None)
    outside = sorted(module for module in graph.modules
                     if module not in ("timebank", "timebank.ledger") and not module.startswith("timebank.migrations")
                     and not any(module == name or module.startswith(name + ".") for name in layered))
    assert outside == []


def test_no_module_of_the_exchanges_is_over_350_lines():
    lengths = {path.name: len(path.read_text().splitlines()) for path in (ROOT / "timebank" / "exchanges").glob("*.py")}
    assert {name: length for name, length in lengths.items() if length > 350} == {}


def test_an_upward_import_into_the_ledger_core_breaks_the_build(tmp_path):
    """Adding `from timebank.exchanges import proposals` to the ledger's services fails, naming the file."""
    shutil.copytree(ROOT / "timebank", tmp_path / "timebank",
                    ignore=shutil.ignore_patterns("__pycache__", "translations", "migrations", "*.mo", "*.po"))
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    ledger_services = tmp_path / "timebank" / "ledger" / "services.py"
    ledger_services.write_text(ledger_services.read_text() + "\nfrom timebank.exchanges import proposals  # noqa\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "timebank.ledger.services -> timebank.exchanges.proposals" in result.stdout
    assert "BROKEN" in result.stdout
