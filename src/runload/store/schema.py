"""The store's schema: numbered migration steps, each upgrading a store by one version.

The version is kept with ``PRAGMA user_version``. :func:`pending` says which steps a store of a
given version still needs; :class:`runload.store.Store` runs them, each in its own transaction,
when a store is opened. A store written by a newer runload is refused rather than guessed at.
Raw facts are kept (source file, content hash, sport as recorded) so derived numbers can always
be rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """Step ``version``: the SQL that upgrades a store of version ``version - 1`` to it."""

    version: int
    sql: str

    def statements(self) -> list[str]:
        """The step's statements, one by one (none of them holds a ``;`` of its own)."""
        return [s for s in self.sql.split(";") if s.strip()]


# Never edit a released step: append a new one, numbered one more than the last.
MIGRATIONS: tuple[Migration, ...] = (
    # the first schema
    Migration(1, """
    CREATE TABLE athletes (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT,
        timezone TEXT NOT NULL DEFAULT 'UTC',
        sex TEXT,
        birth_year INTEGER,
        hr_rest_bpm INTEGER,
        hr_max_bpm INTEGER,
        previous_injuries TEXT NOT NULL DEFAULT '[]',
        units TEXT NOT NULL DEFAULT 'km',
        created_utc TEXT NOT NULL
    );
    CREATE TABLE activities (
        id INTEGER PRIMARY KEY,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        start_utc TEXT NOT NULL,
        end_utc TEXT NOT NULL,
        utc_offset_s INTEGER,
        sport TEXT NOT NULL,
        sub_sport TEXT,
        sport_inferred INTEGER NOT NULL DEFAULT 0,
        distance_m REAL NOT NULL,
        distance_source TEXT NOT NULL DEFAULT 'summary',
        timer_s REAL,
        elapsed_s REAL,
        elevation_gain_m REAL,
        avg_hr_bpm REAL,
        max_hr_bpm REAL,
        avg_cadence_spm REAL,
        device TEXT,
        name TEXT,
        gear TEXT,
        laps_json TEXT NOT NULL DEFAULT '[]',
        hr_zone_json TEXT NOT NULL DEFAULT '{}',
        warnings_json TEXT NOT NULL DEFAULT '[]',
        source_file TEXT,
        source_hash TEXT,
        leg_index INTEGER NOT NULL DEFAULT 0,
        imported_utc TEXT NOT NULL,
        UNIQUE (athlete_id, source_hash, leg_index)
    );
    CREATE INDEX activities_by_time ON activities (athlete_id, start_utc);
    CREATE TABLE imported_files (
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        source_hash TEXT NOT NULL,
        source_file TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT,
        imported_utc TEXT NOT NULL,
        PRIMARY KEY (athlete_id, source_hash)
    );
    CREATE TABLE pain_entries (
        id INTEGER PRIMARY KEY,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        date TEXT NOT NULL,
        side TEXT,
        location TEXT NOT NULL DEFAULT 'back',
        pain_during INTEGER,
        pain_after INTEGER,
        pain_next_morning INTEGER,
        stiffness INTEGER,
        swelling TEXT NOT NULL DEFAULT 'none',
        popping INTEGER NOT NULL DEFAULT 0,
        giving_way INTEGER NOT NULL DEFAULT 0,
        locking INTEGER NOT NULL DEFAULT 0,
        numbness_tingling INTEGER NOT NULL DEFAULT 0,
        deformity INTEGER NOT NULL DEFAULT 0,
        cannot_bend_straighten INTEGER NOT NULL DEFAULT 0,
        cannot_bear_weight INTEGER NOT NULL DEFAULT 0,
        calf_swelling_redness_warmth INTEGER NOT NULL DEFAULT 0,
        breathless_chest_pain INTEGER NOT NULL DEFAULT 0,
        fever INTEGER NOT NULL DEFAULT 0,
        relieved_by_rest INTEGER,
        notes TEXT NOT NULL DEFAULT '',
        source TEXT,
        created_utc TEXT NOT NULL
    );
    CREATE INDEX pain_by_date ON pain_entries (athlete_id, date);
    CREATE TABLE coaches (
        id TEXT PRIMARY KEY,
        name TEXT,
        email TEXT NOT NULL
    );
    CREATE TABLE coach_athletes (
        coach_id TEXT NOT NULL REFERENCES coaches(id) ON DELETE CASCADE,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        PRIMARY KEY (coach_id, athlete_id)
    );
    CREATE TABLE sent_log (
        recipient TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        week TEXT NOT NULL,
        state TEXT NOT NULL,
        message_id TEXT,
        updated_utc TEXT NOT NULL,
        PRIMARY KEY (recipient, subject_kind, subject_id, week)
    );
    """),
    # what each imported path looked like (size and mtime, or zip size and CRC), so a re-import
    # skips unchanged files without reading them; archives fully imported are kept as one row.
    Migration(2, """
    CREATE TABLE seen_files (
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        source_hash TEXT,
        members INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (athlete_id, path)
    );
    """),
    # clearances of the pain log's red flags (runload pain clear): a red flag dated on or
    # before a clearance is resolved.
    Migration(3, """
    CREATE TABLE pain_clearances (
        id INTEGER PRIMARY KEY,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        date TEXT NOT NULL,
        cleared_by TEXT NOT NULL DEFAULT 'clinician',
        note TEXT NOT NULL DEFAULT '',
        created_utc TEXT NOT NULL
    );
    CREATE INDEX clearances_by_date ON pain_clearances (athlete_id, date);
    """),
    # the sent-log keeps who holds a claim (host:process, so the claim of a run that was killed
    # can be taken over at once) and why the last try failed; a failed try keeps its row and
    # Message-ID, so every retry of a message carries the same Message-ID.
    Migration(4, """
    ALTER TABLE sent_log ADD COLUMN owner TEXT;
    ALTER TABLE sent_log ADD COLUMN detail TEXT;
    """),
    # session RPE (0-10, CR-10) as the watch or an export recorded it, and planned runs (a
    # plan is never stored as activities: runload plan set/show/clear).
    Migration(5, """
    ALTER TABLE activities ADD COLUMN rpe REAL;
    CREATE TABLE planned_runs (
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        date TEXT NOT NULL,
        seq INTEGER NOT NULL DEFAULT 0,
        distance_km REAL NOT NULL,
        duration_min REAL,
        kind TEXT NOT NULL DEFAULT 'easy',
        rpe REAL,
        notes TEXT NOT NULL DEFAULT '',
        created_utc TEXT NOT NULL,
        PRIMARY KEY (athlete_id, date, seq)
    );
    """),
    # sources that sync: folders (or files) an athlete's watch or app syncs to, imported by
    # `runload sync`; each keeps when it was last synced and what that sync did, in words.
    Migration(6, """
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        added_utc TEXT NOT NULL,
        last_sync_utc TEXT,
        last_result TEXT,
        UNIQUE (athlete_id, path)
    );
    """),
    # the width of an activity's heart-rate bins (hr_zone_json). Importers now keep each
    # record's bpm (1-bpm bins), so TRIMP and heart-rate zones are exact; rows stored before
    # hold 5-bpm bins keyed by their lower edge, read at their middle until the file is imported
    # again (the report says so).
    Migration(7, """
    ALTER TABLE activities ADD COLUMN hr_bin_bpm INTEGER NOT NULL DEFAULT 5;
    """),
    # the record kept straight. Every import gets an id, kept on what it stored (activities,
    # imported and seen files) and on the rows it replaced (a poorer duplicate of a richer
    # copy), kept whole in replaced_activities, so `runload import undo` removes exactly what
    # it added and puts back what it replaced. A person's correction of an activity is kept
    # beside the recorded value (*_corrected). Shoes: a name, the distance it had before
    # runload and the one to retire it at; gear_assigned is the athlete's default shoe given
    # at import to a run whose file named none (gear stays what the file recorded).
    Migration(8, """
    CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        started_utc TEXT NOT NULL,
        finished_utc TEXT,
        paths_json TEXT NOT NULL DEFAULT '[]',
        files INTEGER NOT NULL DEFAULT 0,
        activities INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        undone_utc TEXT
    );
    CREATE INDEX imports_by_athlete ON imports (athlete_id, id);
    ALTER TABLE activities ADD COLUMN import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL;
    ALTER TABLE imported_files ADD COLUMN import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL;
    ALTER TABLE seen_files ADD COLUMN import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL;
    CREATE INDEX activities_by_import ON activities (import_id);
    CREATE TABLE replaced_activities (
        import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
        activity_id INTEGER NOT NULL,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        stored_by INTEGER,
        row_json TEXT NOT NULL,
        replaced_utc TEXT NOT NULL,
        PRIMARY KEY (import_id, activity_id)
    );
    ALTER TABLE activities ADD COLUMN sport_corrected TEXT;
    ALTER TABLE activities ADD COLUMN sub_sport_corrected TEXT;
    ALTER TABLE activities ADD COLUMN distance_m_corrected REAL;
    ALTER TABLE activities ADD COLUMN gear_corrected TEXT;
    ALTER TABLE activities ADD COLUMN rpe_corrected REAL;
    ALTER TABLE activities ADD COLUMN corrected_utc TEXT;
    ALTER TABLE activities ADD COLUMN gear_assigned TEXT;
    CREATE TABLE shoes (
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        start_km REAL NOT NULL DEFAULT 0,
        retire_km REAL,
        is_default INTEGER NOT NULL DEFAULT 0,
        retired_on TEXT,
        created_utc TEXT NOT NULL,
        PRIMARY KEY (athlete_id, name)
    );
    """),
    # the web app (runload serve): logins of athletes and coaches (an Argon2 hash, never the
    # password), their sessions (a hash of the cookie's token, so a copy of the store opens no
    # session; a logout deletes the row, so a replayed cookie is refused), a coach's note to an
    # athlete for a week, and the app's own signing key (kept here so sessions outlive a restart).
    Migration(9, """
    CREATE TABLE users (
        login TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('athlete', 'coach')),
        subject_id TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_utc TEXT NOT NULL
    );
    CREATE TABLE web_sessions (
        token_hash TEXT PRIMARY KEY,
        login TEXT NOT NULL REFERENCES users(login) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_utc TEXT NOT NULL,
        expires_utc TEXT NOT NULL
    );
    CREATE TABLE coach_notes (
        id INTEGER PRIMARY KEY,
        coach_id TEXT NOT NULL,
        athlete_id TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
        week TEXT NOT NULL,
        text TEXT NOT NULL,
        created_utc TEXT NOT NULL
    );
    CREATE INDEX coach_notes_by_athlete ON coach_notes (athlete_id, week);
    CREATE TABLE web_keys (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """),
    # a row that came in through the store's door (runload.bounds.check_activity passed when it
    # was stored) says so, and a read need not check it again; rows stored before, or put back
    # from an older runload's copy, keep 0 and are checked on every read. Bounds made stricter
    # later take a step setting it back to 0.
    Migration(10, """
    ALTER TABLE activities ADD COLUMN door_checked INTEGER NOT NULL DEFAULT 0;
    """),
)

SCHEMA_VERSION = len(MIGRATIONS)
assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1)), "migrations are numbered 1, 2, 3..."


def pending(version: int) -> tuple[Migration, ...]:
    """The steps a store of schema ``version`` still needs, in order."""
    return MIGRATIONS[version:]
