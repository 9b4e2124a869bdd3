"""The CLI imports a command's module only when that command runs (cli/app.py COMMANDS):
`docedit catalog` or `validate` start without the renderer, the encoder or numpy, and
`--help` still lists every command."""

from __future__ import annotations

import os
import subprocess
import sys

from docedit.cli.app import COMMANDS

HEAVY = ("numpy", "docedit.cli.render", "docedit.output.encode", "docedit.plan.build")


def _loaded_after(*argv: str) -> set[str]:
    """The modules of HEAVY loaded once `docedit ARGV` has run, in a fresh interpreter."""
    script = "\n".join(
        [
            "import sys",
            "from docedit.cli import main",
            f"sys.argv = ['docedit', *{list(argv)!r}]",
            "try:",
            "    main()",
            "except SystemExit:",
            "    pass",
            f"print(*[m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)",
        ]
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    return set(done.stderr.split())


def test_a_light_command_loads_no_renderer_encoder_or_numpy():
    assert _loaded_after("catalog", "--help") == set()
    assert _loaded_after("validate", "--help") == set()
    assert _loaded_after("--version") == set()


def test_a_command_that_encodes_loads_the_encoder_for_its_profile_choice():
    assert {"docedit.output.encode", "numpy"} <= _loaded_after("render", "--help")


def test_help_lists_every_command_in_order():
    done = subprocess.run(
        [sys.executable, "-m", "docedit", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert done.returncode == 0, done.stderr
    listed = [
        line.split()[1]
        for line in done.stdout.splitlines()
        if line.startswith("│ ") and len(line.split()) > 2 and line.split()[1] in COMMANDS
    ]
    assert listed == list(COMMANDS)


def test_an_unknown_command_is_a_usage_error_with_a_suggestion():
    done = subprocess.run(
        [sys.executable, "-m", "docedit", "catalgo"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "catalog" in done.stderr
