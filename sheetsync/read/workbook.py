"""Open a workbook safely, or say in one line why it cannot be opened."""

from __future__ import annotations

import warnings
import zipfile
import zlib
from pathlib import Path

import openpyxl
from openpyxl.workbook import Workbook

from sheetsync.errors import WorkbookUnreadable
from sheetsync.read.discover import too_long_for_windows
from sheetsync.read.grid import WorkbookGrid, read_grid
from sheetsync.read.package import KEPT_SIZE, Package

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURE = b"PK\x03\x04"


def open_workbook(path: Path) -> Workbook:
    """Load ``path`` with openpyxl (formulas, styles, VBA kept) or raise WorkbookUnreadable."""
    check_package(path)
    try:
        with warnings.catch_warnings():
            # NOTE: openpyxl warns about parts it will drop; losses.py reports those itself.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm",
                                          rich_text=_has_rich_text(path), keep_links=True)
    except WorkbookUnreadable:
        raise
    except PermissionError:
        raise WorkbookUnreadable("cannot be opened: permission denied (is it open or locked?)") from None
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise WorkbookUnreadable(_DAMAGED) from None
    except Exception as exc:  # noqa: BLE001  (one bad file must never stop a run)
        name = type(exc).__name__
        causes = f"{name} {type(exc.__cause__).__name__} {type(exc.__context__).__name__}"
        if "Entities" in causes or "DTD" in causes:
            raise WorkbookUnreadable(_ENTITIES_REFUSED) from None
        text = " ".join(str(exc).split())[:160]
        raise WorkbookUnreadable(f"cannot be read as an Excel workbook ({name}: {text})") from None


def check_package(path: Path) -> None:
    """Tell apart the usual wrong files before openpyxl sees them, with a reason an officer gets."""
    _check_signature(path)
    try:
        with zipfile.ZipFile(path) as archive:
            _check_parts(archive)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise WorkbookUnreadable(_DAMAGED) from None


def _check_signature(path: Path) -> None:
    """An old .xls, a password-protected workbook or something else renamed: by the first bytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except PermissionError:
        raise WorkbookUnreadable("cannot be opened: permission denied (is it open or locked?)") from None
    except OSError as exc:
        raise WorkbookUnreadable(f"cannot be opened: {too_long_for_windows(path) or exc.strerror or exc}"
                                 ) from None
    if head.startswith(_OLE_SIGNATURE):
        if _is_encrypted(path):
            raise WorkbookUnreadable("the workbook is password-protected; save a copy without a "
                                     "password to check it")
        raise WorkbookUnreadable("this is an old-format .xls workbook; save it as .xlsx to check it")
    if not head.startswith(_ZIP_SIGNATURE):
        if not head:
            raise WorkbookUnreadable("the file is empty")
        raise WorkbookUnreadable("this is not an Excel workbook (.xlsx or .xlsm)")


def _check_parts(archive: zipfile.ZipFile) -> dict[str, bytes]:
    """A zip that is not a workbook, or whose XML declares entities (zip errors propagate);
    returns the parts it read whole, for the package to keep.

    NOTE: a corrupt part is found when it is read (zlib.error, BadZipFile: "damaged");
    checking every part's CRC first would read a large workbook twice.
    """
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        raise WorkbookUnreadable("this is a zip file but not an Excel workbook")
    whole: dict[str, bytes] = {}
    if _declares_entities(archive, names, whole):
        raise WorkbookUnreadable(_ENTITIES_REFUSED)
    return whole


_DAMAGED = "the file is damaged or truncated (incomplete zip package)"
_ENTITIES_REFUSED = ("refused: the workbook's XML declares entities (used in 'billion laughs' "
                     "attacks); Excel never writes these, so it was not opened")


def _declares_entities(archive: zipfile.ZipFile, names: set[str], whole: dict[str, bytes]) -> bool:
    """A DOCTYPE must come before an XML part's root element, so the first bytes tell.

    NOTE: a part small enough for the package to keep is read whole and put in ``whole``: the
    reader and the writer then read it no more. Only its first bytes were read here before,
    so a part that cannot be read whole is looked at as before, by its first bytes (a damaged
    end is then found where it was).
    """
    for name in names:
        if name.endswith((".xml", ".rels", ".vml")):
            head = None
            if archive.getinfo(name).file_size <= KEPT_SIZE:
                try:
                    head = whole[name] = archive.read(name)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
                    head = None
            if head is None:
                with archive.open(name) as part:
                    head = part.read(_HEAD)
            if b"<!DOCTYPE" in head[:_HEAD].upper():
                return True
    return False


_HEAD = 2048  #: The bytes of an XML part looked at for a DOCTYPE.


def _is_encrypted(path: Path) -> bool:
    """An encrypted .xlsx is an OLE file holding an ``EncryptedPackage`` stream."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return "EncryptedPackage".encode("utf-16-le") in data


def read_workbook(path: Path) -> tuple[Package, WorkbookGrid]:
    """The package and every worksheet's cells (``grid.py``), or raise WorkbookUnreadable."""
    _check_signature(path)
    try:
        archive = zipfile.ZipFile(path)  # NOTE: opened once, for the checks and the read
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise WorkbookUnreadable(_DAMAGED) from None
    try:
        whole = _check_parts(archive)  # (before any part is parsed: entities are refused first)
        package = Package.of(path, archive, whole)
    except WorkbookUnreadable:
        archive.close()
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError):
        archive.close()
        raise WorkbookUnreadable(_DAMAGED) from None
    try:
        return package, read_grid(package)
    except Exception as exc:  # noqa: BLE001  (one bad file must never stop a run)
        package.close()
        if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)) or "zip" in str(exc).lower():
            raise WorkbookUnreadable(_DAMAGED) from None
        text = " ".join(str(exc).split())[:160]
        raise WorkbookUnreadable(f"cannot be read as an Excel workbook ({type(exc).__name__}: "
                                 f"{text})") from None


def _has_rich_text(path: Path) -> bool:
    """Whether any text has formatting runs (``<r>`` in the shared strings, where Excel keeps
    them); only then is openpyxl's slower rich-text read needed to keep them."""
    try:
        with zipfile.ZipFile(path) as package:
            names = {n.lower(): n for n in package.namelist()}
            if "xl/sharedstrings.xml" not in names:
                return True  # NOTE: inline strings only (not Excel's way): read carefully
            return b"<r>" in package.read(names["xl/sharedstrings.xml"])
    except (KeyError, OSError, zipfile.BadZipFile):
        return True
