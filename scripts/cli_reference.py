"""Rewrite docs/cli.md, the command reference, from every command's --help.

    .venv/bin/python scripts/cli_reference.py          # rewrite docs/cli.md
    .venv/bin/python scripts/cli_reference.py --check  # exit 1 if it differs (what the test checks)
"""

from __future__ import annotations

import sys
from pathlib import Path

from runload.cli.reference import reference_markdown

PAGE = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def main(argv: list[str]) -> int:
    text = reference_markdown()
    if "--check" in argv:
        same = PAGE.is_file() and PAGE.read_text(encoding="utf-8") == text
        print("docs/cli.md: the command reference is up to date" if same else
              "docs/cli.md: the command reference differs from the commands' --help; run scripts/cli_reference.py")
        return 0 if same else 1
    PAGE.write_text(text, encoding="utf-8")
    print(f"rewrote the command reference in {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
