#!/usr/bin/env python3
"""The load shape of bench/throughput.sh: which (procedure, agency) each dossier goes to.

Reads, per procedure, the agencies that receive it (the API's JSON answers, one file per
procedure: AGENCIES_DIR/<procedure>.json, a list of agency objects with "code") and writes
"cumulative-weight procedure agency" lines for dossiers.lua.

- Procedures get fixed shares (a few busy ones, most traffic on the first).
- Communes get Zipf weights 1/rank^s. The rank of a commune is its place in a pseudo-random
  permutation (SHA-256 of "seed:commune"), the same for every procedure: a busy commune is
  busy at its police and at its People's Committee alike, and the busiest is not simply the
  first in the list. The commune of an agency is the number after the dot in its code
  (CAX.00004 and UBNDX.00004 are both commune 00004).
- An agency's weight within a procedure is its commune's weight over the sum of the weights
  of the communes that receive that procedure, times the procedure's share.

Also prints a summary (JSON) on standard output: how many agencies, the busiest commune's
share, the share of the top 1% and top 10% of communes.
"""

import hashlib
import json
import sys
from pathlib import Path


def main() -> None:
    agencies_dir, out_path, zipf_s, seed = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    shares = {}
    for spec in sys.argv[5:]:
        code, share = spec.split("=")
        shares[code] = float(share)
    total_share = sum(shares.values())

    receivers = {}
    communes = set()
    for code in shares:
        items = json.loads((agencies_dir / f"{code}.json").read_text())
        agencies = sorted({a["code"] for a in items})
        if not agencies:
            sys.exit(f"no agency receives {code}")
        receivers[code] = agencies
        communes.update(a.split(".", 1)[1] for a in agencies)

    ordered = sorted(communes, key=lambda c: hashlib.sha256(f"{seed}:{c}".encode()).hexdigest())
    rank = {c: i + 1 for i, c in enumerate(ordered)}
    weight = {c: rank[c] ** -zipf_s for c in communes}

    lines = []
    cumulative = 0.0
    per_commune = {}
    for code, agencies in receivers.items():
        norm = sum(weight[a.split(".", 1)[1]] for a in agencies)
        for a in agencies:
            c = a.split(".", 1)[1]
            w = shares[code] / total_share * weight[c] / norm
            cumulative += w
            per_commune[c] = per_commune.get(c, 0.0) + w
            lines.append(f"{cumulative:.12f} {code} {a}")
    out_path.write_text("\n".join(lines) + "\n")

    top = sorted(per_commune.values(), reverse=True)
    n = len(top)
    print(
        json.dumps(
            {
                "procedures": {c: len(a) for c, a in receivers.items()},
                "agencies": len(lines),
                "communes": n,
                "busiest_commune_share": top[0] / cumulative,
                "top_1pct_share": sum(top[: max(1, n // 100)]) / cumulative,
                "top_10pct_share": sum(top[: max(1, n // 10)]) / cumulative,
                "median_commune_share": top[n // 2] / cumulative,
            }
        )
    )


if __name__ == "__main__":
    main()
