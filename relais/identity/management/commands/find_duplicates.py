"""SIAO-03: likely duplicates in a CSV file of persons, with the engine the application uses."""

import csv
import os
import time

from django.core.management.base import BaseCommand, CommandError

from relais.core.exports import safe_row
from relais.identity.bulk import find_pairs
from relais.identity.matching import Identity
from relais.identity.normalize import parse_date

REQUIRED = ("id", "last_name", "first_name", "birth_date")
OPTIONAL = ("birth_name", "sex", "birth_place")


def _sort_key(ident: str) -> tuple:
    """Numeric ids in numeric order, then the others in text order."""
    return (0, int(ident), "") if ident.isdigit() else (1, 0, ident)


def _decoded_lines(stream, bad_lines: set[int]):
    """UTF-8 lines; an undecodable line is remembered so that its row is skipped."""
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            bad_lines.add(number)
            line = raw.decode("utf-8", errors="replace")
        yield line


class Command(BaseCommand):
    help = (
        "Lit un CSV de personnes (id,last_name,first_name,birth_date[,birth_name,sex,"
        "birth_place]) et écrit les paires probables : id_a,id_b,score,decision,reasons."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="CSV UTF-8 des personnes")
        parser.add_argument("--output", required=True, help="CSV des paires à écrire")
        parser.add_argument(
            "--workers", type=int, default=os.cpu_count() or 1, help="processus de calcul"
        )

    def handle(self, *args, input: str, output: str, workers: int, **options):
        started = time.monotonic()
        ids, identities = self.read(input)
        read_at = time.monotonic()
        pairs = find_pairs(identities, workers=workers)
        with open(output, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["id_a", "id_b", "score", "decision", "reasons"])
            for pair in pairs:
                writer.writerow(
                    safe_row(
                        [ids[pair.a], ids[pair.b], f"{pair.score:.4f}", pair.decision, pair.reasons]
                    )
                )
        done = time.monotonic()
        matches = sum(1 for p in pairs if p.decision == "match")
        self.stderr.write(
            f"{len(identities)} personnes lues en {read_at - started:.1f} s ; "
            f"{len(pairs)} paires ({matches} match, {len(pairs) - matches} review) "
            f"en {done - read_at:.1f} s → {output}"
        )

    def read(self, path: str) -> tuple[list[str], dict[int, Identity]]:
        """The valid rows, indexed in id order; malformed rows are reported and skipped."""
        rows: dict[str, Identity] = {}
        bad_lines: set[int] = set()
        try:
            stream = open(path, "rb")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise CommandError(f"Impossible de lire {path} : {error}") from error
        with stream:
            reader = csv.reader(_decoded_lines(stream, bad_lines))
            header = [h.strip().lower() for h in next(reader, [])]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise CommandError(
                    f"En-tête incomplet, il manque : {', '.join(missing)} "
                    f"(attendu : {','.join(REQUIRED)}[,{','.join(OPTIONAL)}])."
                )
            columns = {name: header.index(name) for name in REQUIRED + OPTIONAL if name in header}
            first_line = reader.line_num + 1
            for values in reader:
                line, first_line = first_line, reader.line_num + 1
                problem = self.problem(values, header, line, reader.line_num, bad_lines)
                row = {} if problem else {k: values[i].strip() for k, i in columns.items()}
                if not problem and row["id"] in rows:
                    problem = f"identifiant « {row['id']} » déjà vu plus haut"
                if problem:
                    self.stderr.write(f"ligne {line} : {problem} — ignorée")
                    continue
                rows[row["id"]] = self.identity(row, line)
        ids = sorted(rows, key=_sort_key)
        return ids, {index: rows[ident] for index, ident in enumerate(ids)}

    @staticmethod
    def problem(values, header, line: int, last_line: int, bad_lines: set[int]) -> str | None:
        if any(n in bad_lines for n in range(line, last_line + 1)):
            return "caractères qui ne sont pas de l'UTF-8"
        if not any(v.strip() for v in values):
            return "ligne vide"
        if len(values) > len(header):
            return f"{len(values)} champs au lieu de {len(header)}"
        if len(values) < len(header):  # trailing optional columns may be left out
            if any(header.index(c) >= len(values) for c in REQUIRED):
                return f"{len(values)} champs au lieu de {len(header)}"
            values.extend([""] * (len(header) - len(values)))
        if not values[header.index("id")].strip():
            return "identifiant vide"
        return None

    def identity(self, row: dict[str, str], line: int) -> Identity:
        birth = parse_date(row["birth_date"])
        if row["birth_date"] and not birth:
            self.stderr.write(
                f"ligne {line} : date de naissance illisible « {row['birth_date']} », "
                "comparée sans date"
            )
        birth_name = row.get("birth_name", "")
        return Identity.build(
            birth_name=birth_name or row["last_name"],
            usage_name=row["last_name"] if birth_name else "",
            first_names=row["first_name"],
            sex=row.get("sex", ""),
            birth=birth,
            birth_place=row.get("birth_place", ""),
        )
