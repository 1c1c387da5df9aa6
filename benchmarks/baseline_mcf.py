"""Baseline: a plain Python min-cost-flow assignment, as reviewer-matching scripts do it.

Reads the same workspace CSVs with the csv module, applies the same hard
rules (training, activity, leave on the batch date, shared organisation,
prior involvement, participant, capacity), and solves one min-cost max
flow with networkx (pure Python network simplex) whose arc cost folds age
rank and independence penalty into one number. Writes one row per request.

Usage: ``python -m benchmarks.baseline_mcf WORKSPACE YYYY-MM-DD OUT.csv``
"""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path

import networkx as nx


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _key(text: str) -> str:
    return "".join(text.split()).casefold()


def main(folder: Path, on: date, out: Path) -> None:
    facs = _rows(folder / "facilitators.csv")
    reqs = _rows(folder / "requests.csv")
    parts = _rows(folder / "participants.csv")
    leave = _rows(folder / "leave.csv")
    involvements = _rows(folder / "involvements.csv")

    network: dict[str, tuple[set[str], set[str]]] = {
        r["request_id"]: ({_key(r["requester_organisation"])},
                          {r["requester_email"].casefold()}) for r in reqs}
    for p in parts:
        orgs, emails = network[p["request_id"]]
        orgs.add(_key(p["organisation"]))
        emails.add(p["email"].casefold())
    away = {row["facilitator_id"] for row in leave
            if date.fromisoformat(row["start"]) <= on <= date.fromisoformat(row["end"])}
    involved: dict[str, set[str]] = {}
    for row in involvements:
        for ref in (row.get("case_ref"), row.get("family_ref")):
            if ref:
                involved.setdefault(ref, set()).add(row["facilitator_id"])

    usable = []
    for f in facs:
        if not (f["organisation"] and f["sector"] and f["trained_on"] and f["max_open"]):
            continue
        if f.get("active", "true") != "true" or f["facilitator_id"] in away:
            continue
        if date.fromisoformat(f["trained_on"]) > on:
            continue
        if f.get("training_expires") and date.fromisoformat(f["training_expires"]) < on:
            continue
        room = int(f["max_open"]) - int(f.get("open_jags") or 0)
        if room > 0:
            usable.append((f, room))

    batch = sorted((r for r in reqs if r["received_at"][:10] <= on.isoformat()),
                   key=lambda r: (r["received_at"], r["request_id"]))
    graph = nx.DiGraph()
    big = len(batch) * 10 + 1
    for rank, r in enumerate(batch):
        rid = r["request_id"]
        orgs, emails = network[rid]
        barred = involved.get(r["case_ref"], set()) | involved.get(r.get("family_ref", ""), set())
        graph.add_edge("source", rid, capacity=1, weight=0)
        for f, _ in usable:
            if (_key(f["organisation"]) in orgs or f["email"].casefold() in emails
                    or f["facilitator_id"] in barred):
                continue
            penalty = 1 if r.get("locality") and r["locality"] == f.get("locality") else 0
            graph.add_edge(rid, f["facilitator_id"], capacity=1, weight=rank * big + penalty)
    for f, room in usable:
        graph.add_edge(f["facilitator_id"], "sink", capacity=room, weight=0)
    flow = nx.max_flow_min_cost(graph, "source", "sink") if batch else {}

    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["request_id", "facilitator_id"])
        for r in batch:
            rid = r["request_id"]
            given = [f for f, units in flow.get(rid, {}).items() if units > 0]
            writer.writerow([rid, given[0] if given else ""])


if __name__ == "__main__":
    main(Path(sys.argv[1]), date.fromisoformat(sys.argv[2]), Path(sys.argv[3]))
