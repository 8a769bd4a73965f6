"""Runs the browser tests in order and ends with the plain line "N passed, N failed".

    HEARTH_BIN_DIR=.build/debug HEARTH_TEST_DATABASE_URL=postgresql://… python3 Tests/browser/run.py [-k WORD]

`-k WORD` runs only the steps whose name contains WORD, plus the accessibility check (a step
that needs an earlier step's result says so and fails). Exits 1 on any failure; a harness that cannot start (no database, no browser)
is a failure too, never a skip.
"""

import argparse
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import journeys  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="word", help="run only the steps whose name contains WORD")
    arguments = parser.parse_args()

    names = sorted(n for n in dir(journeys.Journeys) if n.startswith("test_"))
    if arguments.word:
        names = [n for n in names if arguments.word in n] + (
            ["test_99_every_page_is_accessible_and_offers_sign_out"] if "test_99" not in arguments.word else [])
    suite = unittest.TestSuite(journeys.Journeys(n) for n in dict.fromkeys(names))

    started = time.monotonic()
    try:
        journeys.set_up()
    except Exception as error:  # the harness itself: a failure, never a skip
        print(f"browser tests: could not start the exchange or the browser: {error}", file=sys.stderr)
        if journeys.World.exchange and journeys.World.exchange.daemon:
            print(journeys.World.exchange.log_tail(), file=sys.stderr)
        journeys.tear_down()
        print("0 passed, 1 failed")
        return 1
    try:
        result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    finally:
        if journeys.World.exchange:
            failed_log = journeys.World.exchange.log_tail()
        journeys.tear_down()
    failed = len(result.failures) + len(result.errors)
    if failed:
        print("hearthd log (tail):\n" + failed_log)
    print(f"browser tests took {time.monotonic() - started:.0f} s")
    print(f"{result.testsRun - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
