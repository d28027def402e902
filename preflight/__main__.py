"""`python -m preflight`: one short-lived process per plan.

The process holds a large heap that lives until exit and makes almost no reference cycles:
with the cyclic collector off, a 50-service plan ran about 30% faster (the collector's passes
rescanned hundreds of thousands of live objects each time) and peaked 2% higher in memory
(`benchmarks/run.py` reports both). Reference counting still frees everything else.
"""

import gc

gc.disable()

import os  # noqa: E402
import sys  # noqa: E402

from .cli import main  # noqa: E402

code = main()
# A large plan leaves a large heap; tearing it down object by object took about a second, and
# nothing is left to flush or close but the standard streams.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
