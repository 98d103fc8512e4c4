"""Precision, recall and F1 of Relais and of Splink (DuckDB), same data, same fields.

Usage: python bench/identity/quality.py persons.csv [--workers 2]
(needs the bench extra: pip install -e .[bench], i.e. splink==5.0.0 duckdb==2.0.0)

The truth is the `cluster` column written by generate.py: every pair of records of one
cluster is a true pair. Each tool is scored at its own decision threshold (Relais: MATCH;
Splink: match probability 0.5), and at the threshold that would have been best in hindsight.
"""

import argparse
import csv
import itertools
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
import django  # noqa: E402

django.setup()

from relais.identity import matching  # noqa: E402
from relais.identity.bulk import find_pairs  # noqa: E402
from relais.identity.management.commands.find_duplicates import Command  # noqa: E402
from relais.identity.normalize import fold, parse_date  # noqa: E402


def read(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def true_pairs(rows: list[dict]) -> set[tuple[str, str]]:
    clusters: dict[str, list[str]] = {}
    for row in rows:
        clusters.setdefault(row["cluster"], []).append(row["id"])
    pairs = set()
    for ids in clusters.values():
        for a, b in itertools.combinations(sorted(ids, key=int), 2):
            pairs.add((a, b))
    return pairs


def prf(found: set, truth: set) -> tuple[float, float, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def best_threshold(scored: list[tuple[tuple[str, str], float]], truth: set) -> tuple[float, tuple]:
    best = (0.0, (0.0, 0.0, 0.0))
    for threshold in [i / 100 for i in range(1, 100)]:
        found = {pair for pair, score in scored if score >= threshold}
        result = prf(found, truth)
        if result[2] > best[1][2]:
            best = (threshold, result)
    return best


def run_relais(path: str, workers: int) -> tuple[list, float]:
    started = time.monotonic()
    command = Command()
    command.stderr = open(os.devnull, "w")  # noqa: SIM115
    ids, identities = command.read(path)
    pairs = find_pairs(identities, workers=workers)
    elapsed = time.monotonic() - started
    return [((ids[p.a], ids[p.b]), p.score) for p in pairs], elapsed


def splink_input(rows: list[dict], path: str) -> None:
    """The same fields, cleaned the usual way for Splink (folded, empty → null, ISO dates)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(
            [
                "id",
                "first_name",
                "last_name",
                "birth_name",
                "birth_date",
                "birth_year",
                "sex",
                "birth_place",
            ]
        )
        for row in rows:
            date = parse_date(row["birth_date"])
            writer.writerow(
                [
                    row["id"],
                    fold(row["first_name"]),
                    fold(row["last_name"]),
                    fold(row["birth_name"]),
                    date.iso() if date.is_full else "",
                    date.year or "",
                    row["sex"],
                    fold(row["birth_place"]),
                ]
            )


def run_splink(rows: list[dict], workdir: str) -> tuple[list, float]:
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    clean = os.path.join(workdir, "splink_input.csv")
    splink_input(rows, clean)
    started = time.monotonic()
    connection = duckdb.connect()
    db_api = DuckDBAPI(connection=connection)
    table = db_api.register(connection.read_csv(clean, all_varchar=True))
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "last_name"),
            block_on("last_name", "birth_year"),
            block_on("first_name", "birth_date"),
            block_on("last_name", "birth_date"),
            block_on("birth_name", "first_name"),
            "l.first_name = r.last_name and l.last_name = r.first_name",
        ],
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("birth_name"),
            cl.DateOfBirthComparison(
                "birth_date", input_is_string=True, invalid_dates_as_null=True
            ),
            cl.ExactMatch("sex"),
            cl.ExactMatch("birth_place"),
        ],
    )
    linker = Linker(table, settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6)
    # Train on exact-name and exact-date blocks (a phonetic block gave nonsense: notes).
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "last_name")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    predictions = linker.inference.predict(threshold_match_probability=0.01).as_pyarrow_table()
    elapsed = time.monotonic() - started
    left = predictions.column("id_l").to_pylist()
    right = predictions.column("id_r").to_pylist()
    probability = predictions.column("match_probability").to_pylist()
    scored = []
    for a, b, p in zip(left, right, probability, strict=True):
        a, b = sorted((str(a), str(b)), key=int)
        scored.append(((a, b), p))
    return scored, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workdir", default="/tmp")
    args = parser.parse_args()
    rows = read(args.input)
    truth = true_pairs(rows)
    relais, relais_time = run_relais(args.input, args.workers)
    splink, splink_time = run_splink(rows, args.workdir)
    lines = []
    for name, scored, threshold, elapsed in [
        ("Relais", relais, matching.MATCH, relais_time),
        ("Splink 5 (DuckDB)", splink, 0.5, splink_time),
    ]:
        found = {pair for pair, score in scored if score >= threshold}
        p, r, f = prf(found, truth)
        best_t, (bp, br, bf) = best_threshold(scored, truth)
        lines.append(
            f"| {name} | {threshold:.2f} | {p:.3f} | {r:.3f} | **{f:.3f}** | "
            f"{best_t:.2f} → {bf:.3f} | {elapsed:.1f} s |"
        )
    review = {pair for pair, score in relais if score >= matching.REVIEW}
    print(f"{len(rows)} records, {len(truth)} true pairs — {args.input}")
    print("| tool | threshold | precision | recall | F1 | best threshold → F1 | time |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(lines))
    p, r, f = prf(review, truth)
    print(
        f"Relais match + review band (≥ {matching.REVIEW}): {len(review)} pairs, "
        f"precision {p:.3f}, recall {r:.3f} — what users are asked about"
    )


if __name__ == "__main__":
    main()
