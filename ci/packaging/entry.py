"""The packaged executable's entry point: the whole ``qbd-connector`` command line.

``multiprocessing.freeze_support()`` first: the service's page workers are spawned processes,
and a frozen executable re-runs itself for each (with ``--multiprocessing-fork``).
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from connector.cli import main

    sys.exit(main())
