"""Entry point of the component package: `python provider <engine address>` prints a port and serves."""

import sys
from pathlib import Path

# The components live beside this directory (components/, and the contract in policies/rules/).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from provider.host import serve

if __name__ == "__main__":
    serve(sys.argv[1:])
