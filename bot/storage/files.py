"""Evidence files on disk, content-addressed by SHA-256 under the data folder."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from pathlib import Path

import aiosqlite

from bot.domain.evidence import EXTENSIONS
from bot.domain.nomination import EvidenceFile
from bot.storage.timefmt import to_db


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str, mime: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.{EXTENSIONS.get(mime, 'bin')}"

    def put(self, data: bytes, mime: str, original_name: str | None) -> EvidenceFile:
        """Write the bytes once (atomically, fsynced) and describe them. Same bytes, same file."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest, mime)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.with_suffix(target.suffix + ".part")
            with open(temp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        return EvidenceFile(sha256=digest, mime=mime, size=len(data), original_name=original_name)


class FileRepo:
    def __init__(self, conn: aiosqlite.Connection, store: FileStore) -> None:
        self.conn = conn
        self.store = store

    async def record(self, evidence: EvidenceFile, now: dt.datetime) -> None:
        path = self.store.path_for(evidence.sha256, evidence.mime)
        await self.conn.execute(
            "INSERT OR IGNORE INTO files (sha256, size, mime, path, created_at) VALUES (?, ?, ?, ?, ?)",
            (evidence.sha256, evidence.size, evidence.mime, str(path), to_db(now)),
        )


def remove_older_than(folder: Path, seconds: float) -> int:
    """Delete the files in `folder` not touched for `seconds`: made for sending (exports, charts), of no use
    once sent. Ages are the disk's own, hence the system time rather than the campaign clock. Returns how
    many went; a file that cannot be removed is left for the next time."""
    if not folder.is_dir():
        return 0
    cutoff = time.time() - seconds
    removed = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed
