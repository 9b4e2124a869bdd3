"""`docedit schema`: the JSON Schema of the timeline format, for YAML editors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from docedit.cli.common import guarded


@guarded
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of the timeline format (for YAML editors' completion)."""
    from docedit.core.atomic import atomic_output
    from docedit.timeline.format import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False)
    if output is None:
        print(text)
        return
    with atomic_output(output, output.suffix) as temp:
        temp.write_text(text + "\n", "utf-8")
    print(f"wrote {output}")
