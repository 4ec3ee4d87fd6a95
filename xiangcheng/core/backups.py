"""Backups that restore: one archive holds the database and both media folders, and a restore
proves itself against the archive's manifest.

An archive is one ``.tar`` file (``backup-YYYYMMDD-HHMMSS.tar``, the site's local time), readable
only by its owner:

    database.dump     pg_dump --format=custom of the database
    media/…           the public media folder (posters)
    private/…         the private media folder (photos, inbox and call attachments, CVs)
    manifest.json     when, the dump's sha256, each table's row count and content checksum, and
                      each file with its size and sha256

The figures are read inside the very snapshot pg_dump dumps (``pg_export_snapshot``), so they
describe the dump exactly, however busy the portal is while it runs. A table's checksum is the
sum of its rows' md5 (as text, in UTC), order-free and read in one pass without holding the
table in memory.

``restore`` loads the dump into an EMPTY database (anything else is refused before a byte is
written), writes the files into EMPTY folders, and then reads everything back: every table's row
count and checksum and every file's size and sha256 must equal the manifest's.

pg_dump and pg_restore come from ``PG_BIN_DIR`` when it is set (the development stack sets it to
its embedded server's programs), else from ``PATH``; they must be at least the server's version.
Media on object storage are not in the archive: the buckets keep their own versions
(docs/operations.md, "Backup").
"""

import hashlib
import io
import json
import logging
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import psycopg
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

logger = logging.getLogger(__name__)

ARCHIVE_VERSION = 1
DUMP = "database.dump"
MANIFEST = "manifest.json"
# The archive's folder for each storage, and the storage it comes from.
FOLDERS = {"media": "default", "private": "private"}
CHUNK = 1024 * 1024

# Rows read as text the same way in every session: UTC, ISO dates, exact floats.
_SESSION = ("SET TIME ZONE 'UTC'; SET datestyle = 'ISO, YMD'; SET intervalstyle = 'postgres'; "
            "SET extra_float_digits = 3; SET bytea_output = 'hex'")
_TABLES = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'
    ORDER BY 1, 2
"""
# Anything a restore would collide with: tables, views, sequences, types, functions of any schema
# but the system's (an extension's objects count too).
_OBJECTS = """
    SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%')
         + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))
"""


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class RestoreResult:
    tables: int
    rows: int
    files: int


# --- connections and programs -----------------------------------------------------------------

def _split(conninfo: str) -> tuple[str, str]:
    """A connection string (libpq keywords or a postgresql:// URL) without its password, and the
    password, which goes to the programs through their environment, never their command line."""
    params = {key: value for key, value in conninfo_to_dict(conninfo).items() if value not in (None, "")}
    password = str(params.pop("password", ""))
    return make_conninfo(**params), password


def _site_database() -> tuple[str, str]:
    """The portal's own database (the ``default`` connection as configured now)."""
    config = connections["default"].settings_dict
    params = {"dbname": config["NAME"], "user": config.get("USER"), "host": config.get("HOST"),
              "port": str(config.get("PORT") or "")}
    options = config.get("OPTIONS") or {}
    params.update({key: options[key] for key in ("sslmode", "sslrootcert", "sslcert", "sslkey") if key in options})
    params = {key: value for key, value in params.items() if value}
    return make_conninfo(**params), str(config.get("PASSWORD") or "")


def _connect(conninfo: str, password: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(conninfo, password=password or None, **kwargs)


def pg_program(name: str) -> str:
    """The path of pg_dump or pg_restore: in PG_BIN_DIR if set, else on PATH."""
    if folder := getattr(settings, "PG_BIN_DIR", ""):
        path = Path(folder) / name
        if not path.is_file():
            raise BackupError(_("%(program)s is not in PG_BIN_DIR (%(folder)s).") % {"program": name, "folder": folder})
        return str(path)
    if found := shutil.which(name):
        return found
    raise BackupError(_("%(program)s was not found: install the PostgreSQL client programs or set PG_BIN_DIR.")
                      % {"program": name})


def _run(args: list[str], password: str) -> None:
    env = {**os.environ, "PGPASSWORD": password} if password else dict(os.environ)
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        logger.error("%s failed (%s): %s", Path(args[0]).name, result.returncode, result.stderr.strip())
        raise BackupError(_("%(program)s failed: %(error)s") % {
            "program": Path(args[0]).name, "error": result.stderr.strip()[-2000:]})


# --- what a database and a folder hold ---------------------------------------------------------

def table_figures(cursor: psycopg.Cursor) -> dict[str, dict[str, object]]:
    """Each table's row count and content checksum (``schema.table`` → {"rows", "checksum"})."""
    cursor.execute(_SESSION)
    figures: dict[str, dict[str, object]] = {}
    for schema, table in cursor.execute(_TABLES).fetchall():
        query = sql.SQL(
            "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::text "
            "FROM {}.{} AS t").format(sql.Identifier(schema), sql.Identifier(table))
        rows, checksum = cursor.execute(query).fetchone()
        figures[f"{schema}.{table}"] = {"rows": rows, "checksum": checksum}
    return figures


def _media_roots() -> dict[str, Path]:
    """The folder of each storage in the archive (``media``, ``private``)."""
    roots = {}
    for folder, alias in FOLDERS.items():
        storage = storages[alias]
        if not isinstance(storage, FileSystemStorage):
            raise BackupError(_("The %(storage)s files are on object storage: the buckets' own versions are their "
                                "backup, this command backs up media folders only.") % {"storage": alias})
        roots[folder] = Path(storage.location)
    return roots


def _files_of(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _Hashing:
    """A file read once: into the archive and into its sha256 at the same time."""

    def __init__(self, stream):
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


# --- backup ------------------------------------------------------------------------------------

def backup_create(*, destination: Path, now: datetime | None = None) -> Path:
    """Write one archive of the database and both media folders into ``destination``; returns its
    path. The archive appears under its name only once complete."""
    moment = now or timezone.now()
    roots = _media_roots()
    conninfo, password = _site_database()
    pg_dump = pg_program("pg_dump")
    destination.mkdir(parents=True, exist_ok=True)
    name = f"backup-{timezone.localtime(moment):%Y%m%d-%H%M%S}.tar"
    final = destination / name
    if final.exists():
        raise BackupError(_("%(name)s already exists.") % {"name": final})
    partial = destination / f"{name}.partial"
    with tempfile.TemporaryDirectory(dir=destination, prefix=".backup-") as work:
        dump = Path(work) / DUMP
        # One snapshot for the dump and the figures: held open until both are read.
        with _connect(conninfo, password) as snapshot:
            snapshot.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            snapshot.read_only = True
            with snapshot.cursor() as cursor:
                exported = cursor.execute("SELECT pg_export_snapshot()").fetchone()[0]
                _run([pg_dump, "--format=custom", f"--snapshot={exported}", f"--file={dump}",
                      f"--dbname={conninfo}"], password)
                tables = table_figures(cursor)
        manifest: dict[str, object] = {
            "version": ARCHIVE_VERSION,
            "created_at": moment.isoformat(),
            "database": {"file": DUMP, "size": dump.stat().st_size, "sha256": _sha256(dump)},
            "tables": tables,
            "files": [],
        }
        try:
            _archive_write(partial, dump=dump, roots=roots, manifest=manifest, moment=moment)
        except BaseException:
            partial.unlink(missing_ok=True)  # never a half-written archive left to be mistaken for one
            raise
    partial.rename(final)
    logger.info("Backup %s: %d tables, %d rows, %d files", final.name, len(tables),
                sum(t["rows"] for t in tables.values()), len(manifest["files"]))
    return final


def _archive_write(path: Path, *, dump: Path, roots: dict[str, Path], manifest: dict, moment: datetime) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as archive:
        archive.add(dump, arcname=DUMP)
        for folder, root in roots.items():
            for file in _files_of(root):
                entry = _add_file(archive, path=file, arcname=f"{folder}/{file.relative_to(root).as_posix()}")
                if entry is not None:
                    manifest["files"].append(entry)
        body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(body), int(moment.timestamp()), 0o600
        archive.addfile(info, io.BytesIO(body))


def _add_file(archive: tarfile.TarFile, *, path: Path, arcname: str) -> dict[str, object] | None:
    """One media file into the archive, hashed as it is read; ``None`` if it went away meanwhile
    (a photo removed while the backup ran: the dump, taken before, may still name it)."""
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        logger.warning("Backup: %s was removed while the backup ran", arcname)
        return None
    with stream:
        info = archive.gettarinfo(fileobj=stream, arcname=arcname)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        hashing = _Hashing(stream)
        archive.addfile(info, hashing)
    return {"path": arcname, "size": info.size, "sha256": hashing.digest.hexdigest()}


# --- keeping: 7 daily, 4 weekly, 12 monthly ----------------------------------------------------

ARCHIVE_NAME = re.compile(r"^backup-(\d{8})-(\d{6})\.tar$")


def backups_prune(*, folder: Path, daily: int = 7, weekly: int = 4, monthly: int = 12) -> list[Path]:
    """Keep the newest archive of each of the last ``daily`` days, ``weekly`` ISO weeks and
    ``monthly`` months that have one (by the date in their names); delete the other archives
    (nothing else in the folder). Returns the archives deleted."""
    archives = []
    for path in folder.iterdir():
        if match := ARCHIVE_NAME.match(path.name):
            archives.append((datetime.strptime("".join(match.groups()), "%Y%m%d%H%M%S"), path))
    archives.sort(reverse=True)
    keep: set[Path] = set()
    for count, period in ((daily, lambda d: d.date()), (weekly, lambda d: d.isocalendar()[:2]),
                          (monthly, lambda d: (d.year, d.month))):
        seen: list[object] = []
        for moment, path in archives:
            if period(moment) not in seen and len(seen) < count:
                seen.append(period(moment))
                keep.add(path)
    deleted = [path for _, path in archives if path not in keep]
    for path in deleted:
        path.unlink()
    if deleted:
        logger.info("Backups: %d kept, %d old archives deleted", len(keep), len(deleted))
    return deleted


# --- restore -----------------------------------------------------------------------------------

def _manifest_of(archive: tarfile.TarFile) -> dict:
    try:
        stream = archive.extractfile(MANIFEST)
    except KeyError:
        stream = None
    if stream is None:
        raise BackupError(_("This archive has no manifest: it is not a complete backup."))
    manifest = json.loads(stream.read())
    if manifest.get("version") != ARCHIVE_VERSION:
        raise BackupError(_("This archive's format (%(version)s) is not one this version of the portal reads.")
                          % {"version": manifest.get("version")})
    return manifest


def _archive_path(name: str) -> tuple[str, PurePosixPath]:
    """An archive member's folder and its path inside it; refuses anything that would land
    outside the folder."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 2 or path.parts[0] not in FOLDERS:
        raise BackupError(_("The archive holds an unexpected path: %(path)s") % {"path": name})
    return path.parts[0], PurePosixPath(*path.parts[1:])


def _check_empty_folder(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(_("The folder %(folder)s is not empty: restore the files only into empty folders.")
                          % {"folder": folder})


def _check_empty_database(conninfo: str, password: str) -> None:
    with _connect(conninfo, password, autocommit=True) as target:
        objects = target.execute(_OBJECTS).fetchone()[0]
    if objects:
        raise BackupError(_("The database is not empty (%(count)s objects): restore only into an empty database, "
                            "created for the purpose.") % {"count": objects})


def restore(*, archive: Path, database: str, media_root: Path, private_root: Path) -> RestoreResult:
    """Restore ``archive`` into the empty database ``database`` (a postgresql:// URL or libpq
    keywords) and the empty folders, then check both against the manifest."""
    conninfo, password = _split(database)
    roots = {"media": media_root, "private": private_root}
    pg_restore = pg_program("pg_restore")
    if not archive.is_file():
        raise BackupError(_("There is no archive at %(path)s.") % {"path": archive})
    with tarfile.open(archive, mode="r:") as bundle:
        manifest = _manifest_of(bundle)
        for root in roots.values():
            _check_empty_folder(root)
        _check_empty_database(conninfo, password)
        with tempfile.TemporaryDirectory(prefix="restore-") as work:
            dump = Path(work) / DUMP
            with bundle.extractfile(DUMP) as stream, dump.open("wb") as out:
                shutil.copyfileobj(stream, out, CHUNK)
            if _sha256(dump) != manifest["database"]["sha256"]:
                raise BackupError(_("The database dump in this archive is damaged (its checksum differs)."))
            _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                  f"--dbname={conninfo}", str(dump)], password)
        for member in bundle:
            if member.name in (DUMP, MANIFEST):
                continue
            if not member.isfile():
                raise BackupError(_("The archive holds an unexpected path: %(path)s") % {"path": member.name})
            folder, inside = _archive_path(member.name)
            target = roots[folder].joinpath(*inside.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with bundle.extractfile(member) as stream, target.open("xb") as out:
                shutil.copyfileobj(stream, out, CHUNK)
    result = restore_verify(manifest=manifest, database=database, media_root=media_root, private_root=private_root)
    logger.info("Restored %s: %d tables, %d rows, %d files, all as in its manifest",
                archive.name, result.tables, result.rows, result.files)
    return result


def restore_verify(*, manifest: dict, database: str, media_root: Path, private_root: Path) -> RestoreResult:
    """Every table and file of the manifest, read back from the database and the folders."""
    conninfo, password = _split(database)
    with _connect(conninfo, password) as restored, restored.cursor() as cursor:
        tables = table_figures(cursor)
    problems = [
        _("table %(table)s: %(found)s, expected %(expected)s") % {
            "table": name, "found": tables.get(name), "expected": manifest["tables"].get(name)}
        for name in sorted(set(tables) | set(manifest["tables"]))
        if tables.get(name) != manifest["tables"].get(name)
    ]
    roots = {"media": media_root, "private": private_root}
    expected = {entry["path"]: entry for entry in manifest["files"]}
    found = {f"{folder}/{path.relative_to(root).as_posix()}": path
             for folder, root in roots.items() for path in _files_of(root)}
    for name in sorted(set(expected) | set(found)):
        if name not in found:
            problems.append(_("file %(path)s is missing") % {"path": name})
        elif name not in expected:
            problems.append(_("file %(path)s is not in the manifest") % {"path": name})
        elif (found[name].stat().st_size, _sha256(found[name])) != (expected[name]["size"], expected[name]["sha256"]):
            problems.append(_("file %(path)s differs") % {"path": name})
    if problems:
        for problem in problems:
            logger.error("Restore check: %s", problem)
        raise BackupError(_("The restore does not match the backup's manifest: %(problems)s")
                          % {"problems": "; ".join(problems[:10])})
    return RestoreResult(tables=len(tables), rows=sum(t["rows"] for t in tables.values()), files=len(found))
