"""Streaming upload bodies for ``POST /papers``, with progress reports.

A file is sent in chunks as the connection takes them, never read into memory whole, with its
size as ``Content-Length`` (so the server can refuse an oversized upload at once). After each
chunk the progress callback gets an :class:`UploadProgress`. Folders given to
``ingest_files`` are walked here, in the client, one upload per file, because the server takes
one file (or archive) per request.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, BinaryIO, Callable, Iterable, Iterator, List, Optional, Tuple, Union

__all__ = ["UploadProgress", "ProgressCallback", "Upload", "Source", "expand_paths", "is_housekeeping"]

DEFAULT_CHUNK = 1 << 20
"""Bytes per chunk sent (1 MiB)."""


@dataclass(frozen=True)
class UploadProgress:
    """Where an upload stands.

    Attributes:
        name: the upload's ``name`` (the file's name, or its path under the folder given).
        sent: bytes handed to the connection so far.
        total: the body's size in bytes, when known.
        file_index: 0-based position of this file among the files of one ``ingest_files`` call.
        file_count: how many files that call uploads (1 for ``ingest``).
    """

    name: str
    sent: int
    total: Optional[int]
    file_index: int = 0
    file_count: int = 1

    @property
    def done(self) -> bool:
        """Whether every byte of the body has been sent (the server still has to ingest it)."""
        return self.total is not None and self.sent >= self.total


ProgressCallback = Callable[[UploadProgress], None]
Source = Union[str, "os.PathLike[str]", bytes, bytearray, BinaryIO]


class Upload:
    """One body for ``POST /papers``: a path, bytes or a binary file object, read in chunks."""

    def __init__(
        self,
        source: Source,
        name: Optional[str],
        progress: Optional[ProgressCallback] = None,
        chunk_size: int = DEFAULT_CHUNK,
        file_index: int = 0,
        file_count: int = 1,
    ) -> None:
        if chunk_size <= 0:
            raise ValueError(f"chunk_size must be positive, got {chunk_size}")
        self._source = source
        self._progress = progress
        self._chunk = chunk_size
        self._index = file_index
        self._count = file_count
        self.path: Optional[Path] = None
        if isinstance(source, (str, os.PathLike)):
            self.path = Path(source)
            if not self.path.is_file():
                raise FileNotFoundError(f"ingest: {self.path} is not a file")
            self.size: Optional[int] = self.path.stat().st_size
            default_name = self.path.name
        elif isinstance(source, (bytes, bytearray)):
            self.size = len(source)
            default_name = None
        elif hasattr(source, "read"):
            self.size = _remaining(source)
            default_name = os.path.basename(getattr(source, "name", "") or "") or None
        else:
            raise TypeError(
                f"ingest: cannot upload a {type(source).__name__}; give a path, bytes or a binary file object"
            )
        self.name = name or default_name

    def headers(self) -> dict:
        """``Content-Type`` and, when the size is known, ``Content-Length``."""
        h = {"Content-Type": "application/octet-stream"}
        if self.size is not None:
            h["Content-Length"] = str(self.size)
        return h

    def _report(self, sent: int) -> None:
        if self._progress is not None:
            self._progress(UploadProgress(self.name or "", sent, self.size, self._index, self._count))

    def _chunks(self, f: BinaryIO) -> Iterator[bytes]:
        sent = 0
        self._report(0)
        while True:
            chunk = f.read(self._chunk)
            if not chunk:
                break
            sent += len(chunk)
            yield chunk
            self._report(sent)

    def iter_chunks(self) -> Iterator[bytes]:
        """The body in chunks (for the sync client); reports progress after each chunk."""
        if self.path is not None:
            with open(self.path, "rb") as f:
                yield from self._chunks(f)
        elif isinstance(self._source, (bytes, bytearray)):
            yield from self._chunks(io.BytesIO(self._source))
        else:
            yield from self._chunks(self._source)  # type: ignore[arg-type]

    async def aiter_chunks(self) -> AsyncIterator[bytes]:
        """The body in chunks (for the async client); file reads run in a worker thread."""
        import anyio.to_thread

        iterator = self.iter_chunks()
        done = object()
        while True:
            chunk = await anyio.to_thread.run_sync(next, iterator, done)
            if chunk is done:
                break
            yield chunk  # type: ignore[misc]


def _remaining(f: BinaryIO) -> Optional[int]:
    """Bytes left in a seekable file object from its position; ``None`` when it cannot seek."""
    try:
        here = f.tell()
        end = f.seek(0, io.SEEK_END)
        f.seek(here)
        return end - here
    except (OSError, AttributeError, ValueError):
        return None


_HOUSEKEEPING = {"readme", "license", "licence", "copying", "notice", "source", "sources", "changelog", "authors"}


def is_housekeeping(name: str) -> bool:
    """Whether a folder walk leaves ``name`` out, as ``hypatia ingest FOLDER`` does: hidden
    entries, and READMEs, licences, provenance notes, changelogs and author lists as text
    (``SOURCE.md``, ``LICENSE-MIT``; not ``sources.json``)."""
    lower = name.lower()
    stem, _, ext = lower.partition(".")
    textual = ext in ("", "md", "txt", "rst", "markdown")
    named = stem in _HOUSEKEEPING or stem.startswith(("license-", "licence-"))
    return name.startswith(".") or (named and textual)


def expand_paths(paths: Iterable[Union[str, "os.PathLike[str]"]]) -> List[Tuple[Path, str]]:
    """Files to upload for files and folders, each with its upload name.

    A file given by itself is named by its file name (and sent whatever its name). A folder is
    walked recursively, in sorted order, leaving out what :func:`is_housekeeping` names; each
    file under it is named by its path relative to the folder's parent, so that
    ``data/scifact/corpus.jsonl`` given as ``data/scifact`` is ``scifact/corpus.jsonl`` (the
    server takes the name's folder as the collection of collection-local ids).
    """
    out: List[Tuple[Path, str]] = []
    for p in paths:
        path = Path(p)
        if path.is_file():
            out.append((path, path.name))
        elif path.is_dir():
            base = path.resolve().parent
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if is_housekeeping(f):
                        continue
                    full = Path(root) / f
                    out.append((full, full.resolve().relative_to(base).as_posix()))
        else:
            raise FileNotFoundError(f"ingest: {path} is neither a file nor a folder")
    return out
