"""`python -m w2v_lib.course {release,grade}`: the student release and the grading of submissions."""
from __future__ import annotations

import argparse

from . import grading, release


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m w2v_lib.course", description=__doc__.split(":")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    release.add_arguments(commands.add_parser("release", help="write the student release (see release.py)"))
    grading.add_arguments(commands.add_parser("grade", help="grade a folder of submissions (see grading.py)"))
    args = parser.parse_args(argv)
    return (release.run if args.command == "release" else grading.run)(args)


if __name__ == "__main__":
    raise SystemExit(main())
