"""`python -m bot`: the command line (bot/cli)."""

import gc
import sys

# Loading the bot makes some 75,000 objects (modules, classes, pydantic's schemas) that live as long as the
# process. Python's collector, woken every 700 new objects, walked them again and again while they were made
# and once more in full later: about 0.12 s of a command's 1 s of processor time. So it is off while they
# are made, and they are then set aside from its passes for good (gc.freeze), as `run` does again with what
# start-up builds. Reference counting frees everything as usual meanwhile; the few cycles made while
# loading (some 1,000 objects) are never freed.
gc.disable()
try:
    from bot.cli import main
finally:
    gc.freeze()
    gc.enable()

sys.exit(main())
