"""Evidence files on disk, content-addressed by SHA-256 under the data folder."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import time
from pathlib import Path

from bot.domain.evidence import EXTENSIONS
from bot.domain.nomination import EvidenceFile
from bot.storage.database import Connection, fetch_all
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
        try:
            # Fresh again: a sweep leaves alone what was staged within its grace, a re-upload included.
            os.utime(target)
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            # Named for this write alone: two processes staging the same bytes never share a half-written file.
            temp = target.with_name(f"{target.name}.{os.getpid()}-{secrets.token_hex(4)}.part")
            try:
                with open(temp, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temp, target)
            except BaseException:
                temp.unlink(missing_ok=True)
                raise
        return EvidenceFile(sha256=digest, mime=mime, size=len(data), original_name=original_name)

    def remove_unreferenced(self, referenced: set[str], older_than: float) -> int:
        """Delete what a killed process left behind: half-written .part files, and whole files no row or draft
        refers to (staged for an update whose transaction never committed, or a draft that was cancelled).
        Only what is older than `older_than` seconds, so a file being staged right now is left alone."""
        if not self.root.is_dir():
            return 0
        # Ages are the disk's own, hence the system time rather than the campaign clock.
        cutoff = time.time() - older_than
        removed = 0
        for folder in self.root.iterdir():
            if not _SHARD.fullmatch(folder.name) or not folder.is_dir():
                continue
            for path in folder.iterdir():
                stored = _STORED.fullmatch(path.name)
                if stored is not None and stored.group(1) in referenced:
                    continue
                if stored is None and not path.name.endswith(".part"):
                    continue  # not ours
                try:
                    if path.stat().st_mtime < cutoff:
                        path.unlink()
                        removed += 1
                except OSError:
                    continue
        return removed


_SHARD = re.compile(r"[0-9a-f]{2}")
_STORED = re.compile(r"([0-9a-f]{64})\.\w+")
_SHA256 = re.compile(r"\b[0-9a-f]{64}\b")
# Longer than any staging (download, then the update's transaction) can take.
STAGING_GRACE = 3600.0


async def referenced_files(conn: Connection) -> set[str]:
    """The evidence files something refers to: recorded in `files`, or in anyone's draft."""
    referenced = {str(row[0]) for row in await fetch_all(conn, "SELECT sha256 FROM files")}
    for (state,) in await fetch_all(conn, "SELECT state FROM sessions"):
        referenced.update(_SHA256.findall(str(state)))
    return referenced


class FileRepo:
    def __init__(self, conn: Connection, store: FileStore) -> None:
        self.conn = conn
        self.store = store

    async def record(self, evidence: EvidenceFile, now: dt.datetime) -> None:
        path = self.store.path_for(evidence.sha256, evidence.mime)
        await self.conn.execute(
            "INSERT INTO files (sha256, size, mime, path, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
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
