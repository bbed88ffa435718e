"""Bytes → files, written so that a crash never leaves half a file: the file helpers every
stage that writes (models, checkpoints, MIDI, MusicXML, audio, reports) shares."""
from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from jazzsolo.errors import InputFileError, OutputExistsError


def write_atomic(path: str | os.PathLike, data: bytes, *, overwrite: bool = False) -> Path:
    """Write bytes through a temporary file in the same folder, then rename it into place.

    A crash leaves either the old file or the new one, never half a file; an existing file is
    kept unless `overwrite` is set.
    """
    path = Path(path)
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, expected a file name to write")
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path}: exists already")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def json_bytes(data) -> bytes:
    """Data as the bytes of a readable JSON file (sorted keys, so the same data, the same bytes)."""
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """Named arrays as the bytes of a NumPy .npz file, to be written atomically."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


__all__ = ["json_bytes", "npz_bytes", "write_atomic"]
