"""`python -m w2v_lib.course {release,grade,autograder}`: the release, grading, a Gradescope autograder."""
from __future__ import annotations

import argparse
import importlib

COMMANDS = {"release": ("release", "write the student release (see release.py)"),
            "grade": ("grading", "grade a folder of submissions (see grading.py)"),
            "autograder": ("grader.gradescope", "write a Gradescope autograder (see grader/gradescope.py)")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m w2v_lib.course", description=__doc__.split(":")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (module, text) in COMMANDS.items():
        importlib.import_module(f".{module}", __package__).add_arguments(commands.add_parser(name, help=text))
    args = parser.parse_args(argv)
    return importlib.import_module(f".{COMMANDS[args.command][0]}", __package__).run(args)


if __name__ == "__main__":
    raise SystemExit(main())
