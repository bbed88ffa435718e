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


def check_output_file(path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Refuse, before any work, an output path that is a folder, or a file that exists when
    `overwrite` is not set."""
    path = Path(path)
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, expected a file name to write")
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path}: exists already")
    return path


def check_writable_folder(folder: str | os.PathLike) -> Path:
    """Refuse, before any work and without creating anything, a folder that cannot be made or
    written in: a file in the way of it or of a parent, or no permission to write.

    A folder that does not exist yet is fine when its nearest existing parent can be written.
    """
    folder = Path(folder)
    ancestor = folder
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir() and ancestor == folder:
        raise InputFileError(f"{folder}: is a file, not a directory to write in")
    if not ancestor.is_dir():
        raise InputFileError(f"{folder}: cannot be made: {ancestor} is a file, not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise InputFileError(_unwritable(folder, ancestor, "permission denied"))
    return folder


def _unwritable(folder: Path, ancestor: Path, reason: str) -> str:
    """The one line for a folder that cannot be written in, or made inside `ancestor`."""
    if ancestor == folder:
        return f"{folder}: this directory cannot be written in ({reason})"
    return f"{folder}: cannot be made: {ancestor} cannot be written in ({reason})"


def _folder_error(folder: Path, error: OSError) -> InputFileError:
    """An OSError from making or writing in `folder` as one line naming the folder, never the
    hidden temporary file (for when `check_writable_folder` could not foresee it: a read-only
    file system, a full disk, a race)."""
    try:
        check_writable_folder(folder)
    except InputFileError as found:
        return found
    reason = (error.strerror or str(error)).lower()
    return InputFileError(_unwritable(folder, folder, reason))


def write_atomic(path: str | os.PathLike, data: bytes, *, overwrite: bool = False) -> Path:
    """Write bytes through a temporary file in the same folder, then rename it into place.

    A crash leaves either the old file or the new one, never half a file; an existing file is
    kept unless `overwrite` is set.  A folder that cannot be made or written in is one
    `InputFileError` naming it, and nothing is left behind.
    """
    path = check_output_file(path, overwrite=overwrite)
    folder = check_writable_folder(path.parent)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise _folder_error(folder, e) from e
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException as e:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise InputFileError(f"{path}: cannot be written ({(e.strerror or str(e)).lower()})"
                                 ) from e
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


__all__ = ["check_output_file", "check_writable_folder", "json_bytes", "npz_bytes",
           "write_atomic"]
