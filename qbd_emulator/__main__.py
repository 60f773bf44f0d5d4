import sys

from qbd_emulator.cli import main

sys.exit(main())
