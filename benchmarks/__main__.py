"""``python -m benchmarks``: every benchmark, one after the other, in one run."""

from __future__ import annotations

from benchmarks import allocation, scenarios, scheduling

if __name__ == "__main__":
    allocation.main()
    print()
    scheduling.main()
    print()
    scenarios.main()
