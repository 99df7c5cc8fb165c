"""What an import did, file by file (the summary every importer fills and every command shows)."""

from __future__ import annotations

from dataclasses import dataclass, field


def no_files_reason(path: str) -> str:
    """What an import says of a folder or archive with nothing in it to import."""
    return f"no activity files found in {path}"


@dataclass
class ImportSummary:
    """What an import did, file by file. ``empty`` lists the folders and archives named that held
    no activity file at all (each also counts as a failure)."""

    imported: list[str] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    skipped: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    activities: int = 0
    empty: list[str] = field(default_factory=list)
    refreshed: int = 0  # of the files already known: heart rate re-read at 1 bpm (stored by an older runload)
    import_id: int | None = None  # the import's record (runload import list / undo)

    def as_json(self) -> dict[str, object]:
        """The summary as plain JSON data: counts, and lists of duplicates, failures and warnings."""
        return {
            "import_id": self.import_id,
            "imported": len(self.imported),
            "activities": self.activities,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "refreshed": self.refreshed,
            "failed": self.failed,
            "warnings": self.warnings,
        }


__all__ = ["ImportSummary", "no_files_reason"]
