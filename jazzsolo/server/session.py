"""The server's state: a scratch folder per session under one server-owned temporary folder,
the takes and uploads each session made, and the bounded worker pool every slow call runs in.

No path here is ever built from a request: session folders are named by the server's own
random tokens, uploads by an id the server draws and a name cleaned to [a-z0-9_] plus a
suffix from a fixed list.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from jazzsolo.errors import InputFileError

LOG = logging.getLogger("jazzsolo.server")
MAX_SESSIONS = 32                 # sessions kept; the least recently used one is dropped
MAX_TAKES = 4                     # takes (and trades) kept per session, with their audio
                                  # in memory (a 32-bar take: its band and solo stems about
                                  # 11 MB, 21 MB more once its WAV is downloaded; the stems'
                                  # zip is made for each download, never kept)
MAX_UPLOADS = 8                   # uploaded charts kept per session
UPLOAD_SUFFIXES = (".mid", ".midi", ".musicxml", ".xml", ".mxl", ".txt", ".html", ".htm")


class Busy(Exception):
    """Every worker is taken and the queue is full: the request is answered 503 at once."""


class TimedOut(Exception):
    """A job ran past the server's time limit: the request is answered 504."""


@dataclass
class Session:
    """One browser's state: its scratch folder, takes and uploads (by server-drawn ids)."""

    token: str
    folder: Path
    takes: OrderedDict = field(default_factory=OrderedDict)     # id -> practice.Take
    uploads: OrderedDict = field(default_factory=OrderedDict)   # id -> (path, original name)
    requests: int = 0               # requests using it now (`Sessions.get` .. `release`)
    dropped: bool = False           # dropped from the sessions kept; its folder goes when
                                    # its last request ends

    def keep_take(self, take) -> str:
        """Store a take under a fresh id, dropping the oldest beyond MAX_TAKES."""
        take_id = secrets.token_hex(8)
        self.takes[take_id] = take
        while len(self.takes) > MAX_TAKES:
            self.takes.popitem(last=False)
        return take_id

    def save_upload(self, data: bytes, name: str) -> tuple[str, Path]:
        """Write an uploaded file into this session's folder under a server-made name."""
        from jazzsolo.export.solo_files import file_stem

        suffix = Path(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise InputFileError(f"{Path(name).name or 'the upload'}: expected a MIDI file, a "
                                 f"MusicXML lead sheet or an iReal Pro file "
                                 f"({', '.join(UPLOAD_SUFFIXES)})")
        upload_id = secrets.token_hex(8)
        folder = self.folder / "uploads" / upload_id
        folder.mkdir(parents=True)
        path = folder / f"{file_stem(Path(name).stem)}{suffix}"
        path.write_bytes(data)
        self.uploads[upload_id] = (path, name)
        while len(self.uploads) > MAX_UPLOADS:
            _, (old, _) = self.uploads.popitem(last=False)
            shutil.rmtree(old.parent, ignore_errors=True)
        return upload_id, path


class Sessions:
    """Every session of one server process, each in its own folder under `root`."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else Path(
            tempfile.mkdtemp(prefix="jazzsolo-serve-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str | None) -> Session:
        """The session of a cookie's token, or a new one when it is unknown or missing, held
        for one request until `release`.  Beyond MAX_SESSIONS the least recently used is
        dropped; the folder of one still in use goes when its last request ends, so a solo
        being made there is never cut off by other users arriving."""
        with self._lock:
            if token in self._sessions:
                self._sessions.move_to_end(token)
                session = self._sessions[token]
            else:
                session = Session(secrets.token_hex(16), Path())
                session.folder = self.root / session.token
                session.folder.mkdir()
                self._sessions[session.token] = session
            session.requests += 1
            while len(self._sessions) > MAX_SESSIONS:
                _, old = self._sessions.popitem(last=False)
                old.dropped = True
                if not old.requests:
                    shutil.rmtree(old.folder, ignore_errors=True)
            return session

    def release(self, session: Session) -> None:
        """A request is done with its session (`get`); a dropped one's folder goes with its
        last request."""
        with self._lock:
            session.requests -= 1
            gone = session.dropped and not session.requests
        if gone:
            shutil.rmtree(session.folder, ignore_errors=True)

    def close(self) -> None:
        """Remove every session's folder (the server is stopping)."""
        shutil.rmtree(self.root, ignore_errors=True)


class WorkerPool:
    """A bounded pool: at most `workers` jobs run and `max_pending` wait or run at once; more
    are refused (`Busy`), and a job past `timeout_s` answers `TimedOut` (its thread finishes
    on its own; Python threads cannot be killed, so the pool's bound is what protects the
    server)."""

    def __init__(self, workers: int = 2, *, max_pending: int | None = None,
                 timeout_s: float = 60.0):
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="jazzsolo")
        self.max_pending = max_pending if max_pending is not None else 2 * workers
        self.timeout_s = timeout_s
        self._pending = 0
        self._lock = threading.Lock()

    def _release(self, _future) -> None:
        with self._lock:
            self._pending -= 1

    async def run(self, function, *args, **kwargs):
        """Run a blocking call in the pool and wait for it, without blocking the event loop."""
        with self._lock:
            if self._pending >= self.max_pending:
                raise Busy()
            self._pending += 1
        future = self.executor.submit(function, *args, **kwargs)
        future.add_done_callback(self._release)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout_s)
        except asyncio.TimeoutError:
            raise TimedOut() from None

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


__all__ = ["Busy", "LOG", "MAX_SESSIONS", "MAX_TAKES", "Session", "Sessions", "TimedOut",
           "UPLOAD_SUFFIXES", "WorkerPool"]
