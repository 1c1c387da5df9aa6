"""``python -m benchmarks [--full]``: every benchmark, one after the other, in one run.

``--full`` adds the largest allocation sizes (10,000 × 2,000 and 20,000 × 4,000).
Last comes a Norfolk year of daily operation through the ledger (SQLite and PostgreSQL).
"""

from __future__ import annotations

import sys

from benchmarks import allocation, identity, ledger, scenarios, scheduling

if __name__ == "__main__":
    full = "--full" in sys.argv[1:]
    allocation.main(full=full)
    print()
    same = identity.main(full=full)
    print()
    scheduling.main()
    print()
    scenarios.main()
    print()
    ledger.main()
    sys.exit(0 if same else 1)
