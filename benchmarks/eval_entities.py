"""Entity quality (PERSON, ORG, GPE) against the hand-labelled set benchmarks/gold/entities.jsonl.

    .venv/bin/python benchmarks/eval_entities.py [--gold benchmarks/gold/entities_heldout.jsonl] [--show-errors]

Scored per article on the set of distinct normalised names per label (what an analyst
counts: "which people does this article mention"), micro-averaged over articles. A gold
entry may list aliases ("Civil Aviation Authority of Nepal/CAAN"); names compare case-
insensitively without a leading "the". Predicted LOC counts as GPE.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tasks.clean import clean_page  # noqa: E402
from tasks.extract import extract_fields  # noqa: E402
from tasks.settings import Settings  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
GOLD = ROOT / "benchmarks" / "gold" / "entities.jsonl"
LABELS = ("PERSON", "ORG", "GPE")


def key(name: str) -> str:
    """Comparison form of a name."""
    name = " ".join(name.split()).casefold()
    return name[4:] if name.startswith("the ") else name


def evaluate(show_errors: bool = False, gold_path: Path = GOLD) -> dict:
    """Precision, recall and F1 per label and overall."""
    gold_rows = [json.loads(line) for line in gold_path.open(encoding="utf-8")]
    manifest = {json.loads(line)["id"]: json.loads(line) for line in (EVAL / "fundus" / "manifest.jsonl").open(encoding="utf-8")}
    with tarfile.open(EVAL / "fundus" / "pages.tar.gz") as archive:
        pages = [
            clean_page(archive.extractfile(manifest[row["id"]]["html_path"]).read(), "html", url=manifest[row["id"]]["url"])
            for row in gold_rows
        ]
    fields = extract_fields(pages, Settings().spacy_model)
    counts = {label: Counter() for label in LABELS}
    for row, extracted in zip(gold_rows, fields):
        for label in LABELS:
            predicted = {key(e.name) for e in extracted.entities if (e.label if e.label != "LOC" else "GPE") == label}
            gold = [{key(alias) for alias in entry.split("/")} for entry in row[label]]
            hits = {p for p in predicted if any(p in aliases for aliases in gold)}
            found = sum(1 for aliases in gold if aliases & predicted)
            counts[label]["tp"] += found
            counts[label]["fp"] += len(predicted - hits)
            counts[label]["fn"] += len(gold) - found
            if show_errors:
                for p in sorted(predicted - hits):
                    print(f"EXTRA {label:6} {row['id']}: {p}")
                for aliases in gold:
                    if not aliases & predicted:
                        print(f"MISS  {label:6} {row['id']}: {'/'.join(sorted(aliases))}")
    result = {}
    total = Counter()
    for label, c in [*counts.items(), ("all", None)]:
        c = c if c is not None else total
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "gold": c["tp"] + c["fn"]}
        if label != "all":
            total.update(c)
    return {"articles": len(gold_rows), **result}


def main() -> None:
    """Print the scores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD, help="labelled set (default: %(default)s)")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    print(json.dumps(evaluate(args.show_errors, args.gold), indent=1))


if __name__ == "__main__":
    main()
