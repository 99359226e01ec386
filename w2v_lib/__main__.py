"""Command line: `python -m w2v_lib <command> …` (also installed as `w2v`).

    python -m w2v_lib download              fetch and unpack the treebank into data/
    python -m w2v_lib train                 the assignment's run: vectors, checkpoints, PCA plot
    python -m w2v_lib student --out DIR     the student release (w2v_lib/course/release.py)
    python -m w2v_lib grade SUBMISSIONS     grade students' notebooks, each in a sandbox (w2v_lib/course/grading.py)
    python -m w2v_lib autograder --gradescope OUT.zip   the same grader as a Gradescope autograder

Each command is a `add_<name>_command(subparsers)` function that registers its parser and sets
`func`; add new commands by writing another one and listing it in COMMANDS.
"""
from __future__ import annotations

import argparse
import importlib
import math
import sys
from pathlib import Path


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or a positive integer; got {text}")
    return value


def _positive_number(text: str) -> float:
    value = float(text)
    if not 0 < value < math.inf:  # NaN fails too
        raise argparse.ArgumentTypeError(f"expected a positive finite number; got {text}")
    return value


def _plot_file(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in (".png", ".pdf", ".svg", ".jpg", ".jpeg"):
        raise argparse.ArgumentTypeError(f"expected an image file name ending in .png, .pdf, .svg or .jpg; got {text}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder: give the image's file name")
    return path


def _run_download(args) -> int:
    from .corpora.sst import download_sst

    folder = download_sst(args.data_dir, url=args.url, progress=not args.no_progress, timeout=args.timeout,
                          deadline=args.deadline)
    print(f"treebank ready in {folder}")
    return 0


def add_download_command(subparsers) -> None:
    from .corpora.sst import OFFICIAL_URL

    p = subparsers.add_parser("download", help="fetch, verify and unpack the Stanford Sentiment Treebank")
    p.add_argument("--data-dir", type=Path, default=None, help="where to put it (default: $W2V_DATA_DIR or data/)")
    p.add_argument("--url", default=OFFICIAL_URL, help="the zip's address (default: the official one)")
    p.add_argument("--timeout", type=_positive_number, default=30.0, help="seconds to wait for each network read")
    p.add_argument("--deadline", type=_positive_number, default=900.0, help="seconds the whole download may take")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_run_download)


def _run_train(args) -> int:
    from .assignment import RunFolder, train_sst, word_vectors
    from .assignment.word_plot import warm_up_plotting
    from .corpora import SSTNotFoundError, download_sst, find_sst

    RunFolder(args.run_dir).check_location()  # before a download or the corpus, which take a while
    try:
        sst_dir = find_sst(args.sst_dir)
    except SSTNotFoundError:
        if not args.download:
            raise
        sst_dir = download_sst(progress=not args.no_progress)
    hyper = {k: getattr(args, k) for k in ("dim", "window", "negatives", "batch_size", "step", "anneal_every",
                                           "copies", "subsample_threshold") if getattr(args, k) is not None}
    folder = RunFolder(args.run_dir)
    folder.check_not_foreign(args.overwrite)  # before the lock file is made in a folder that is not a run's
    with folder.owned():  # one owner from the first write to the plot (train_sst takes it again, re-entrantly)
        result = train_sst(sst_dir=sst_dir, run_dir=folder.path, iterations=args.iterations,
                           checkpoint_every=args.checkpoint_every or None, seed=args.seed,
                           progress=not args.no_progress, resume=args.resume, overwrite=args.overwrite,
                           method=args.method, alongside=warm_up_plotting, **hyper)
        vectors = word_vectors(result.params, len(result.words))  # (|Vocab|, 2d): the vectors vectors.txt holds
        plot = folder.save_plot(result.words, vectors, title=f"SST skip-gram, {result.iterations} iterations",
                                path=args.plot)
    print(f"iteration {result.iterations}: loss EMA {result.final_loss_ema:.3f} "
          f"(the assignment's sanity check: around or below 10); training took {result.seconds:.1f} s")
    print(f"vectors: {folder.vectors_path}; checkpoints: {len(result.checkpoints)} in "
          f"{folder.checkpoint_dir}; plot: {plot}")
    return 0


def add_train_command(subparsers) -> None:
    from .assignment import DEFAULT_SEED

    p = subparsers.add_parser("train", help="train skip-gram on the SST as the assignment does",
                              description="Train skip-gram with negative sampling on the Stanford Sentiment "
                                          "Treebank with the assignment's settings, then write vocab.tsv, "
                                          "vectors.txt, checkpoints/ and word_vectors.png into the run folder.")
    p.add_argument("--sst-dir", type=Path, default=None, help="folder with datasetSentences.txt (default: "
                   "$W2V_SST_DIR, else data/stanfordSentimentTreebank)")
    p.add_argument("--download", action="store_true", help="download the treebank first if it is not found")
    p.add_argument("--run-dir", type=Path, default=None, help="output folder (default: data/sst_run)")
    p.add_argument("--iterations", type=_positive_int, default=40000)
    p.add_argument("--checkpoint-every", type=_non_negative_int, default=2000, help="0 for no checkpoints")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    start = p.add_mutually_exclusive_group()
    start.add_argument("--resume", action="store_true", help="continue from the run folder's latest checkpoint")
    start.add_argument("--overwrite", action="store_true",
                       help="delete the run folder's earlier run (checkpoints, losses, vectors) and start over")
    p.add_argument("--method", choices=("auto", "compiled", "vectorized", "straightforward"), default="auto",
                   help="auto: compiled if numba is installed, else vectorized; straightforward is the reference "
                        "loop: same result in distribution, hundreds of times slower")
    p.add_argument("--plot", type=_plot_file, default=None,
                   help="where to write the PCA plot, e.g. plot.png (default: in the run folder)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    hyper = p.add_argument_group("hyperparameters (default: the assignment's)")
    hyper.add_argument("--dim", type=_positive_int, help="vector dimension d (10)")
    hyper.add_argument("--window", type=_positive_int, help="largest window half-width C (5)")
    hyper.add_argument("--negatives", type=_positive_int, help="negatives per pair K (10)")
    hyper.add_argument("--batch-size", type=_positive_int, help="windows per SGD step (50)")
    hyper.add_argument("--step", type=_positive_number, help="initial step size (0.3)")
    hyper.add_argument("--anneal-every", type=_positive_int, help="halve the step every so many iterations (20000)")
    hyper.add_argument("--copies", type=_positive_int, help="subsampled copies of the corpus (30)")
    hyper.add_argument("--subsample-threshold", type=_positive_number,
                       help="t in the drop probability 1 − sqrt(t·N/count) (1e-5)")
    p.set_defaults(func=_run_train)


class _CommandParser(argparse.ArgumentParser):
    """One command's parser. A course command's options and `run` come from its module
    (`add_arguments(parser)`, `run(args)`), imported when the command is parsed or its help shown:
    other commands need not import it, and the student release ships without it."""

    def __init__(self, *args, course_module: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._course_module = course_module

    def _load_course_options(self) -> None:
        if self._course_module is None:
            return
        name, self._course_module = self._course_module, None
        try:
            module = importlib.import_module(f".course.{name}", __package__)
        except ModuleNotFoundError as err:
            self.error(f"this command is the instructor's: it is not in the student release ({err})")
        module.add_arguments(self)
        self.set_defaults(func=module.run)

    def parse_known_args(self, args=None, namespace=None):
        self._load_course_options()
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self._load_course_options()
        return super().format_help()


def add_student_command(subparsers) -> None:
    subparsers.add_parser("student", course_module="release", help="write the student release "
                          "(see docs/instructors.md)", description="write the student release of the workbook")


def add_grade_command(subparsers) -> None:
    subparsers.add_parser("grade", course_module="grading", help="grade a folder of submissions "
                          "(see docs/instructors.md)", description="grade a folder of submissions")


def add_autograder_command(subparsers) -> None:
    subparsers.add_parser("autograder", course_module="grader.gradescope", help="write a Gradescope autograder "
                          "(see docs/instructors.md)", description="write a Gradescope autograder")


COMMANDS = [add_download_command, add_train_command, add_student_command, add_grade_command, add_autograder_command]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m w2v_lib", description="The word2vec workbook's commands.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="command", parser_class=_CommandParser)
    for add in COMMANDS:
        add(subparsers)
    return parser


def _expected_errors() -> tuple:
    """The errors that mean bad input, missing data, a file system that refuses or too little memory: a message.

    The graded-only student release leaves `assignment` out (its placeholder raises ImportError),
    so its error class is looked up only where it exists.
    """
    import pickle
    import zipfile

    from .corpora.sst import SSTNotFoundError, SSTVerificationError
    from .optimizer import TrainingDiverged

    errors = [TrainingDiverged, SSTNotFoundError, SSTVerificationError, ValueError, OSError, MemoryError,
              zipfile.BadZipFile, pickle.UnpicklingError]
    try:
        from .assignment import RunFolderError
    except ImportError:
        pass
    else:
        errors.insert(0, RunFolderError)
    return tuple(errors)


def _describe(err: BaseException) -> str:
    """One line for an expected error, in the words of the code that raised it."""
    from ._files import describe_os_error

    if isinstance(err, OSError) and err.errno is not None:
        return describe_os_error(err)  # the OS's own errors (they carry an errno) in words
    if isinstance(err, MemoryError):
        detail = f" ({err})" if str(err) else ""
        return (f"out of memory{detail}: the settings ask for more than this machine can allocate; "
                "use a smaller --dim, --batch-size, --negatives or --copies")
    text = str(err) or type(err).__name__
    return text if isinstance(err, (ValueError, OSError)) or type(err).__module__.startswith("w2v_lib") \
        else f"{type(err).__name__}: {text}"


def main(argv=None) -> int:
    """Run one command; expected errors print one line on stderr and return 2 (as argparse's do)."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except _expected_errors() as err:
        print(f"error: {' '.join(_describe(err).split())}", file=sys.stderr)  # one line, whatever it held
        return 2
    except KeyboardInterrupt:
        hint = "; the checkpoints written so far are kept: continue with --resume" if args.command == "train" else ""
        print(f"interrupted{hint}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
