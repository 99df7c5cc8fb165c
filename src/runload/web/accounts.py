"""Logins, sessions and coaches' notes of the web app, kept in the store.

A login belongs to one athlete or one coach (``role`` and ``subject_id``). Passwords are hashed
with Argon2id (argon2-cffi, its default parameters); the store never holds a password. A session
is a random token: the cookie carries it signed, the store keeps only its SHA-256, so a copy of
the store opens no session, and logging out deletes the row, so a replayed cookie is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from runload.athletes import check_id
from runload.errors import InputError, NotFoundError
from runload.textsafe import unsafe_char

ROLES = ("athlete", "coach")
SESSION_DAYS = 14  # a phone stays logged in for two weeks of runs
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # Argon2 hashes any length; a megabyte of "password" is an attack, not a password
NOTE_MAX = 2000


@dataclass(frozen=True)
class User:
    """One login: an athlete's (``subject_id`` is their athlete id) or a coach's (their coach id)."""

    login: str
    role: str
    subject_id: str


@dataclass(frozen=True)
class Session:
    """An open session: who, and the CSRF token every form of this session carries."""

    user: User
    csrf_token: str


@dataclass(frozen=True)
class Note:
    """A coach's note to an athlete for one ISO week (``2026-W42``)."""

    id: int
    coach_id: str
    athlete_id: str
    week: str
    text: str
    created_utc: str


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _hasher() -> Any:
    return PasswordHasher()


def check_password(password: str) -> str:
    """``password`` if it is long enough and not absurdly long, else InputError."""
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"the password must have at most {MAX_PASSWORD} characters")
    return password


def add_user(store: Any, login: str, password: str, *, role: str, subject_id: str) -> User:
    """Store a new login for an existing athlete or coach; an existing login is an InputError."""
    check_id(login, what="login")
    if role not in ROLES:
        raise InputError(f"role must be athlete or coach, not {role!r}")
    if role == "athlete":
        store.get_athlete(subject_id)
    elif subject_id not in {c[0] for c in store.coaches()}:
        raise NotFoundError(f"unknown coach '{subject_id}' (see: runload coach list)")
    digest = _hasher().hash(check_password(password))
    with store.atomic() as conn:
        if conn.execute("SELECT 1 FROM users WHERE login = ?", (login,)).fetchone():
            raise InputError(f"login '{login}' already exists")
        conn.execute("INSERT INTO users (login, role, subject_id, password_hash, created_utc) VALUES (?, ?, ?, ?, ?)",
                     (login, role, subject_id, digest, _now().isoformat(timespec="seconds")))
    return User(login, role, subject_id)


def list_users(store: Any) -> list[User]:
    """Every login, by name."""
    rows = store.conn.execute("SELECT login, role, subject_id FROM users ORDER BY login").fetchall()
    return [User(*r) for r in rows]


def remove_user(store: Any, login: str) -> None:
    """Delete a login and its sessions (the athlete or coach stays)."""
    with store.atomic() as conn:
        conn.execute("DELETE FROM web_sessions WHERE login = ?", (login,))
        if conn.execute("DELETE FROM users WHERE login = ?", (login,)).rowcount == 0:
            raise NotFoundError(f"unknown login '{login}' (see: runload user list)")


def set_password(store: Any, login: str, password: str) -> None:
    """Change a login's password; its open sessions end (a stolen session dies with the old one)."""
    digest = _hasher().hash(check_password(password))
    with store.atomic() as conn:
        if conn.execute("UPDATE users SET password_hash = ? WHERE login = ?", (digest, login)).rowcount == 0:
            raise NotFoundError(f"unknown login '{login}' (see: runload user list)")
        conn.execute("DELETE FROM web_sessions WHERE login = ?", (login,))


# A hash to verify against when the login is unknown, so an unknown login costs the same time
# as a wrong password and the answer's timing does not tell which logins exist.
_DUMMY: list[str] = []


def authenticate(store: Any, login: str, password: str) -> User | None:
    """The user whose login and password these are, or None (unknown login or wrong password)."""

    ph = _hasher()
    row = store.conn.execute("SELECT login, role, subject_id, password_hash FROM users WHERE login = ?",
                             (login,)).fetchone()
    if row is None or len(password) > MAX_PASSWORD:
        if not _DUMMY:
            _DUMMY.append(ph.hash(secrets.token_urlsafe(16)))
        with contextlib.suppress(VerificationError):
            ph.verify(_DUMMY[0], password[:MAX_PASSWORD])
        return None
    try:
        ph.verify(row[3], password)
    except (VerificationError, InvalidHashError):
        return None
    return User(row[0], row[1], row[2])


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def open_session(store: Any, user: User) -> tuple[str, Session]:
    """A new session for ``user``: (its token, for the cookie; the session)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = _now()
    with store.atomic() as conn:
        conn.execute("DELETE FROM web_sessions WHERE expires_utc < ?", (now.isoformat(),))
        conn.execute("INSERT INTO web_sessions (token_hash, login, csrf_token, created_utc, expires_utc) "
                     "VALUES (?, ?, ?, ?, ?)", (_token_hash(token), user.login, csrf, now.isoformat(),
                                                (now + timedelta(days=SESSION_DAYS)).isoformat()))
    return token, Session(user, csrf)


def find_session(store: Any, token: str) -> Session | None:
    """The open, unexpired session of ``token``, or None."""
    row = store.conn.execute(
        "SELECT u.login, u.role, u.subject_id, s.csrf_token, s.expires_utc FROM web_sessions s "
        "JOIN users u ON u.login = s.login WHERE s.token_hash = ?", (_token_hash(token),)).fetchone()
    if row is None or row[4] < _now().isoformat():
        return None
    return Session(User(row[0], row[1], row[2]), row[3])


def close_session(store: Any, token: str) -> None:
    """End a session (logout): its cookie opens nothing from now on."""
    with store.atomic() as conn:
        conn.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_token_hash(token),))


def signing_key(store: Any) -> bytes:
    """The app's key for signing cookies, made on first use and kept in the store."""
    row = store.conn.execute("SELECT value FROM web_keys WHERE name = 'cookie'").fetchone()
    if row is None:
        with store.atomic() as conn:
            conn.execute("INSERT OR IGNORE INTO web_keys (name, value) VALUES ('cookie', ?)",
                         (secrets.token_hex(32),))
        row = store.conn.execute("SELECT value FROM web_keys WHERE name = 'cookie'").fetchone()
    return bytes.fromhex(row[0])


def sign(key: bytes, value: str) -> str:
    """``value.signature`` (HMAC-SHA256): a cookie the browser cannot alter."""
    mac = hmac.new(key, value.encode("ascii"), hashlib.sha256).hexdigest()
    return f"{value}.{mac}"


def unsign(key: bytes, signed: str | None) -> str | None:
    """The value of a signed cookie, or None when it is missing or its signature is wrong."""
    if not signed or "." not in signed:
        return None
    value, _, mac = signed.rpartition(".")
    try:
        good = hmac.new(key, value.encode("ascii"), hashlib.sha256).hexdigest()
    except UnicodeEncodeError:
        return None
    return value if hmac.compare_digest(good, mac) else None


# ---------------------------------------------------------------- who may see what
def coached_by(store: Any, coach_id: str) -> list[str]:
    """The ids of the athletes who follow ``coach_id``."""
    rows = store.conn.execute("SELECT athlete_id FROM coach_athletes WHERE coach_id = ? ORDER BY athlete_id",
                              (coach_id,)).fetchall()
    return [r[0] for r in rows]


def may_see(store: Any, user: User, athlete_id: str) -> bool:
    """An athlete sees only their own pages; a coach only the athletes who follow them."""
    if user.role == "athlete":
        return user.subject_id == athlete_id
    return bool(store.conn.execute("SELECT 1 FROM coach_athletes WHERE coach_id = ? AND athlete_id = ?",
                                   (user.subject_id, athlete_id)).fetchone())


def coaches_of(store: Any, athlete_id: str) -> list[tuple[str, str | None, str]]:
    """(coach id, name, email) of every coach the athlete follows."""
    return [(cid, name, email) for cid, name, email, ids in store.coaches() if athlete_id in ids]


# ---------------------------------------------------------------- notes
def add_note(store: Any, coach_id: str, athlete_id: str, week: str, text: str) -> int:
    """Store a coach's note to an athlete for an ISO week; returns its id."""

    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise InputError("the note is empty")
    if len(text) > NOTE_MAX:
        raise InputError(f"a note holds at most {NOTE_MAX} characters")
    bad = unsafe_char(text, allow_newlines=True)
    if bad:
        raise InputError(f"the note holds a control character ({bad})")
    with store.atomic() as conn:
        cur = conn.execute("INSERT INTO coach_notes (coach_id, athlete_id, week, text, created_utc) "
                           "VALUES (?, ?, ?, ?, ?)", (coach_id, athlete_id, week, text,
                                                      _now().isoformat(timespec="seconds")))
    return int(cur.lastrowid)


def notes_for(store: Any, athlete_id: str, *, limit: int = 10) -> list[Note]:
    """The athlete's latest notes from their coaches, newest week first."""
    rows = store.conn.execute(
        "SELECT id, coach_id, athlete_id, week, text, created_utc FROM coach_notes WHERE athlete_id = ? "
        "ORDER BY week DESC, id DESC LIMIT ?", (athlete_id, limit)).fetchall()
    return [Note(*r) for r in rows]
