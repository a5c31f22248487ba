"""The file store: time to store and read back a file of each size with the file-system
backend and the database backend (SQLite, or PostgreSQL with --database-url), and the
number of files a second re-upload of the same bytes writes (none: content-addressed).

Run: python benchmarks/files_bench.py [--repeat 5] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workflow.db import make_engine  # noqa: E402
from workflow.models import Base  # noqa: E402
from workflow.storage import DatabaseBlobStore, FileSystemBlobStore, read  # noqa: E402

SIZES = {"100 KB": 100 * 1024, "5 MB": 5 * 1024 * 1024, "20 MB": 20 * 1024 * 1024}


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def measure(fs: FileSystemBlobStore, engine, size: int, repeat: int) -> tuple[float, ...]:
    fresh = iter([os.urandom(size) for _ in range(2 * repeat)])
    same = os.urandom(size)
    key = fs.put(same)
    fs_new = timed(lambda: fs.put(next(fresh)), repeat)
    fs_again = timed(lambda: fs.put(same), repeat)
    fs_read = timed(lambda: read(fs, key), repeat)

    def db_put():
        with engine.begin() as conn:
            DatabaseBlobStore(conn).put(next(fresh))

    with engine.begin() as conn:
        db_key = DatabaseBlobStore(conn).put(same)

    def db_read():
        with engine.connect() as conn:
            read(DatabaseBlobStore(conn), db_key)

    return fs_new, fs_again, fs_read, timed(db_put, repeat), timed(db_read, repeat)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fs = FileSystemBlobStore(Path(tmp) / "files")
        engine = make_engine(args.database_url or f"sqlite:///{tmp}/bench.db")
        Base.metadata.tables["file_blob"].create(engine, checkfirst=True)
        print(f"{'size':>7} | {'fs put new':>10} | {'fs put again':>12} | {'fs read':>8} | "
              f"{'db put new':>10} | {'db read':>8}   (median ms of {args.repeat})")
        for label, size in SIZES.items():
            fs_new, fs_again, fs_read, db_new, db_read = measure(fs, engine, size, args.repeat)
            print(f"{label:>7} | {fs_new:10.1f} | {fs_again:12.3f} | {fs_read:8.1f} | "
                  f"{db_new:10.1f} | {db_read:8.1f}")
        files = [p for p in fs.root.rglob("*") if p.is_file()]
        expected = len(SIZES) * (args.repeat + 1)
        print(f"files on disk: {len(files)} (distinct contents written: {expected}; "
              "re-uploads of the same bytes wrote none)")
        with engine.begin() as conn:
            Base.metadata.tables["file_blob"].drop(conn)
        engine.dispose()


if __name__ == "__main__":
    main()
