"""Retrain the model shipped in jazzsolo/pretrained/metheny from the Metheny tune.

Run from the repository root with the tune where `jazzsolo train` finds it:
    .venv/bin/python scripts/train_pretrained.py
Seed 0 and 100 epochs at the course settings on the default (fast) training path; the same
machine gives the same weights.  The training checkpoints are removed: only what generation
needs is shipped.
"""
import shutil
import sys

from jazzsolo.models.checkpoint import checkpoint_dir
from jazzsolo.cli import main
from jazzsolo.models.model_dir import PRETRAINED_MODEL_DIR

if __name__ == "__main__":
    status = main(["train", "--seed", "0", "--epochs", "100", "--quiet", "--overwrite",
                   "--output_dir", str(PRETRAINED_MODEL_DIR)] + sys.argv[1:])
    shutil.rmtree(checkpoint_dir(PRETRAINED_MODEL_DIR), ignore_errors=True)
    sys.exit(status)
