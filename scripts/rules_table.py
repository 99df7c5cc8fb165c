"""Rewrite the rules table in rules/README.md from the rule files (bundled rules only).

    .venv/bin/python scripts/rules_table.py          # rewrite the README's table
    .venv/bin/python scripts/rules_table.py --check  # exit 1 if it differs (what the test checks)
"""

from __future__ import annotations

import sys
from pathlib import Path

from runload.rules.schema import load_rules
from runload.rules.table import readme_block, rules_table, with_table

README = Path(__file__).resolve().parents[1] / "rules" / "README.md"


def main(argv: list[str]) -> int:
    rules = load_rules([README.parent])
    text = README.read_text(encoding="utf-8")
    if "--check" in argv:
        same = readme_block(text) == rules_table(rules, "md")
        print("rules/README.md: the rules table is up to date" if same else
              "rules/README.md: the rules table differs from the rule files; run scripts/rules_table.py")
        return 0 if same else 1
    README.write_text(with_table(text, rules), encoding="utf-8")
    print(f"rewrote the rules table in {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
