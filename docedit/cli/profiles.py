"""The `--profile` choice of the commands that encode (render, export): the encoder's own
profiles, listed once in output/encode.py. A module of its own so that only those commands
load the encoder (and numpy with it): `docedit catalog` or `validate` start without them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from docedit.output.encode import PROFILES

if TYPE_CHECKING:
    ProfileName = str
else:  # Typer reads the choices from the Literal
    ProfileName = Literal[tuple(PROFILES)]
