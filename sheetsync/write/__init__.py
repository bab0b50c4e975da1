"""Writing: the annotated copy of a workbook, every finding marked on its own cell.

``patch`` is the patching writer, which keeps every part it has no reason to change byte for
byte (its helpers: ``patchsheet``, ``sheetxml``, ``stylesxml``, ``notes``, ``newsheet``,
``workbookxml``, whose ``PackageEdits`` holds every change to one workbook's package and is
given to the sheet, note and new-sheet writers); ``annotate`` is the openpyxl fallback, with
``losses`` saying what it cannot keep. Others use ``patch``, ``annotate`` and ``losses`` only.
"""

__all__ = ["annotate", "losses", "patch"]
