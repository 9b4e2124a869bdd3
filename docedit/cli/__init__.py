"""The `docedit` command line: a thin shell over the public API."""

from docedit.cli.app import app, main

__all__ = ["app", "main"]
