"""Write docs/evidence-on-outcomes.md (and its results, docs/evidence-on-outcomes.json): runload's
default rules measured on both Lövdal layouts with `runload evaluate`'s own library.

    .venv/bin/python scripts/evidence_on_outcomes.py            # evaluate and rewrite both files
    .venv/bin/python scripts/evidence_on_outcomes.py --check    # exit 1 if the page differs from
                                                                # the results, or the rules changed
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "evidence-on-outcomes.md"
RESULTS = ROOT / "docs" / "evidence-on-outcomes.json"
SEED = 0


def digest() -> str:
    """The digest of the default rulebook (rule files and an empty config): the results are
    stale when it changes."""
    from runload.batch.jobs import rules_digest
    from runload.rules.book import Rulebook

    return rules_digest(Rulebook.load(config={}))


def check() -> list[str]:
    """What is out of date (nothing: an empty list)."""
    from runload.evaluate.page import page

    problems = []
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    if results.get("rules_digest") != digest():
        problems.append(f"{RESULTS.name} was made with other rule files; run scripts/evidence_on_outcomes.py")
    if PAGE.read_text(encoding="utf-8") != page(results):
        problems.append(f"{PAGE.name} differs from {RESULTS.name}; run scripts/evidence_on_outcomes.py")
    return problems


def main(argv: list[str]) -> int:
    if "--check" in argv:
        problems = check()
        print("\n".join(problems) or "docs/evidence-on-outcomes.md is up to date")
        return 1 if problems else 0
    from runload.batch.engines import make_engine
    from runload.evaluate import lovdal
    from runload.evaluate.evaluation import evaluate
    from runload.evaluate.page import page
    from runload.rules.book import Rulebook

    book = Rulebook.load(config={})
    evaluations, seconds = {}, {}
    for layout in lovdal.LAYOUTS:
        engine = make_engine("local")
        start = time.perf_counter()
        try:
            ev = evaluate(lovdal.read(layout, lovdal.default_path(layout)), book, seed=SEED, engine=engine)
        finally:
            engine.close()
        seconds[layout] = round(time.perf_counter() - start, 1)
        evaluations[layout] = ev.to_dict()
        print(f"{layout}: {ev.days:,} rows judged in {seconds[layout]} s", file=sys.stderr)
    results = {"rules_digest": digest(), "evaluations": evaluations}
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    PAGE.write_text(page(results), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)} and {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
