"""The ASGI app (Starlette): routes, sessions, CSRF, throttling and the security headers.

Every page reads through :class:`runload.web.pages.Pages` (the same reports as every other
output) and renders with the report's templates and style sheet. Each request opens its own
connection to the store (SQLite in WAL mode: pages are read while an entry is written); every
write goes through the store's transactions. Whatever is refused (no session, another athlete's
page, another coach's athlete, a form without its CSRF token) is a bare 403.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import re
import secrets
import shutil
import tempfile
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeGuard

import anyio
import anyio.to_thread
import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from runload.calendar import iso_label, local_date, today_in, week_start_of
from runload.errors import InputError, RunloadError
from runload.ingest import import_paths
from runload.limits import RED_FLAG_HEADLINES
from runload.models import PAIN_LOCATIONS, PAIN_SIDES, PAIN_SIGNS, PAIN_SWELLING, Sport
from runload.pain.care import care_for
from runload.pain.entries import FIELD_NAMES, FieldError, is_empty, make_entry, parse_score
from runload.pain.log import add_entry
from runload.plan import check_plan, parse_run_option
from runload.report import fmt
from runload.report.colours import colour
from runload.report.html import _env as report_env
from runload.report.plan import plan_view
from runload.report.roster import status_words
from runload.report.text import roster_cells
from runload.rules.book import Rulebook
from runload.shoes import new_shoe, shoe_totals, state_words
from runload.store import Store
from runload.textsafe import inline
from runload.web import accounts
from runload.web.alerts import advice, entry_flags
from runload.web.pages import VIEWS, Pages

SESSION_COOKIE = "runload_session"
LOGIN_COOKIE = "runload_login"  # the CSRF token of the login form, before there is a session

# The static reports' policy, with forms allowed to post to the app itself; no script at all.
CSP = ("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-store",
}

MAX_UPLOAD_BYTES = 512 * 1024 * 1024  # a Strava bulk export of many years fits
MAX_UPLOAD_FILES = 1000
MAX_PLAN_LINES = 84  # the plan check's own bound: 12 weeks of a run a day

VIEW_LABELS = (("16w", "16 weeks"), ("season", "Season (26 weeks)"), ("year", "Year"))
#: How many threads run each kind of blocking work at once. Pages (store reads, assessments,
#: rendering): more threads only take turns on the interpreter's one lock and make every page
#: wait longer. Writes (a pain entry, an import, a note, a shoe: each re-assesses the athlete):
#: apart, so a burst of entries never holds every page up. Logins: Argon2 takes ~0.6 s of a core
#: each (leaving the interpreter lock to the pages meanwhile); fifty at once must not take
#: every thread.
POOLS = {"pages": 8, "writes": 2, "login": 2}



class Throttle:
    """Login throttling: at most ``limit`` failed logins per login name and per client address
    in ``window_s``; beyond that every try is refused until the window has passed."""

    def __init__(self, limit: int = 5, window_s: float = 900.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and self.clock() - q[0] > self.window_s:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            return any(len(self._recent(k)) >= self.limit for k in keys)

    def failed(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._recent(k).append(self.clock())

    def succeeded(self, login_key: str) -> None:
        with self._lock:
            self._fails.pop(login_key, None)


@cache
def _env() -> Any:


    env = report_env().overlay(loader=jinja2.ChoiceLoader([
        jinja2.PackageLoader("runload.web", "templates"), jinja2.PackageLoader("runload.report", "templates")]))

    # a form's error in the colour of the urgent level (runload.report.colours: the one place
    # a colour is chosen); buttons take the links' colour from the report's sheet
    env.globals["app_css"] = (resources.files("runload.web").joinpath("templates/app.css").read_text(encoding="utf-8")
                              + f":root {{ --error: {colour('urgent')}; }}\n")
    return env


class SecurityHeaders:
    """ASGI middleware: the security headers on every response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode().lower() not in HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def forbidden() -> Response:
    """Every refusal: 403, no word on why."""
    return PlainTextResponse("Forbidden", status_code=403)


def create_app(store_path: str | Path, *, today: Callable[[str | None], date] | None = None, book: Any = None,
               mailer: Callable[[str, int, date, list[Any]], bool] | None = None,
               throttle: Throttle | None = None, warm: bool = False) -> Starlette:
    """The app over the store at ``store_path``.

    ``today(tz)`` is the day in a time zone (default: the clock's); ``book`` the rulebook
    (default: loaded now, once); ``mailer(athlete_id, entry_id, day, flags)`` sends the red-flag
    mail to the athlete's coaches after the answer went out (None: no mail); ``throttle`` the
    login throttling.
    """

    store_path = str(store_path)
    book = book if book is not None else Rulebook.load()
    pages = Pages(book)
    throttle = throttle or Throttle()
    pools = Pools(POOLS)
    if today is None:
        today = today_in
    with Store.open(store_path, create=False) as store:
        key = accounts.signing_key(store)

    def open_store() -> Any:
        return Store.open(store_path, create=False)

    def render(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return HTMLResponse(_env().get_template(name).render(**ctx), status_code=status)

    def session_of(request: Request, store: Any) -> accounts.Session | None:
        token = accounts.unsign(key, request.cookies.get(SESSION_COOKIE))
        return accounts.find_session(store, token) if token else None

    async def form_of(request: Request) -> dict[str, str]:
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}

    def csrf_ok(sent: str | None, expected: str | None) -> bool:
        return bool(sent and expected and hmac.compare_digest(sent.encode(), expected.encode()))

    def allowed(session: accounts.Session | None, store: Any, *, athlete_id: str | None = None,
                form: dict[str, str] | None = None, role: str | None = None) -> TypeGuard[accounts.Session]:
        """Whether a request may go on: a live session, the session's CSRF token on a form, the
        role a page needs, and an athlete this user may see. Every refusal is the same bare 403."""
        if session is None:
            return False
        if form is not None and not csrf_ok(form.get("csrf_token"), session.csrf_token):
            return False
        if role is not None and session.user.role != role:
            return False
        return athlete_id is None or accounts.may_see(store, session.user, athlete_id)

    # ------------------------------------------------------------ pages
    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    def login_form(request: Request, *, status: int = 200, refused: bool = False, login: str = "") -> Response:
        token = accounts.unsign(key, request.cookies.get(LOGIN_COOKIE)) or secrets.token_urlsafe(32)
        response = render("app_login.html.j2", status, session=None, csrf_token=token, refused=refused, login=login)
        _cookie(response, request, LOGIN_COOKIE, accounts.sign(key, token), max_age=3600)
        return response

    def login_page(request: Request) -> Response:
        return login_form(request)

    async def login_post(request: Request) -> Response:
        form = await form_of(request)
        if not csrf_ok(form.get("csrf_token"), accounts.unsign(key, request.cookies.get(LOGIN_COOKIE))):
            return forbidden()
        login, password = form.get("login", "").strip(), form.get("password", "")
        keys = (f"login:{login.lower()}", f"addr:{request.client.host if request.client else '-'}")
        return await pools.run("login", _login, request, login, password, keys)

    def _login(request: Request, login: str, password: str, keys: tuple[str, str]) -> Response:
        if throttle.blocked(*keys):
            return login_form(request, status=403, refused=True, login=login)
        with open_store() as store:
            user = accounts.authenticate(store, login, password)
            if user is None:
                throttle.failed(*keys)
                return login_form(request, status=403, refused=True, login=login)
            throttle.succeeded(keys[0])
            token, _session = accounts.open_session(store, user)
        response = RedirectResponse("/", status_code=303)
        _cookie(response, request, SESSION_COOKIE, accounts.sign(key, token), max_age=accounts.SESSION_DAYS * 86400)
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    async def logout(request: Request) -> Response:
        form = await form_of(request)

        def run() -> Response:
            with open_store() as store:
                session = session_of(request, store)
                if not allowed(session, store, form=form):
                    return forbidden()
                accounts.close_session(store, accounts.unsign(key, request.cookies.get(SESSION_COOKIE)) or "")
            response = RedirectResponse("/login", status_code=303)
            response.delete_cookie(SESSION_COOKIE, path="/")
            return response

        return await pools.run("writes", run)

    def home(request: Request) -> Response:
        with open_store() as store:
            session = session_of(request, store)
            if session is None:
                return RedirectResponse("/login", status_code=303)
            if session.user.role == "athlete":
                return athlete_page(request, store, session, session.user.subject_id)
            ids = accounts.coached_by(store, session.user.subject_id)
            ro = pages.roster(store, ids, today("UTC"))

            headers, cells = roster_cells(ro, finding_limit=None)
            sparks = {i: pages.spark(store, i, today("UTC")) for i in ids}
            return render("app_roster.html.j2", session=session, ro=ro, headers=headers,
                          rows=list(zip(cells, ro.rows)), status_words=status_words, sparks=sparks)

    def athlete_page(request: Request, store: Any, session: accounts.Session, athlete_id: str) -> Response:
        athlete = store.get_athlete(athlete_id)
        day = today(athlete.timezone)
        view = request.query_params.get("view", "16w")
        if view not in VIEWS:
            view = "16w"
        # the report's parts are rendered once per version of the athlete's data and kept; only
        # what belongs to this session (its CSRF token, the notes, the links for its role) is
        # rendered per request around them
        top = pages.part(store, athlete_id, day, view, "top", lambda r: _part("_app_report_top.html.j2", r, view))
        rest = pages.part(store, athlete_id, day, view, "rest", lambda r: _part("_app_report_rest.html.j2", r, view))
        r = pages.report(store, athlete_id, day, view=view)
        return render("app_athlete.html.j2", session=session, r=r, top=top, rest=rest,
                      notes=accounts.notes_for(store, athlete_id))

    def athlete(request: Request) -> Response:
        athlete_id = request.path_params["athlete_id"]
        with open_store() as store:
            session = session_of(request, store)
            if not allowed(session, store, athlete_id=athlete_id):
                return forbidden()
            return athlete_page(request, store, session, athlete_id)

    def chart(request: Request) -> Response:
        athlete_id, name = request.path_params["athlete_id"], request.path_params["name"]
        view = request.query_params.get("view", "16w")
        with open_store() as store:
            session = session_of(request, store)
            if not allowed(session, store, athlete_id=athlete_id):
                return forbidden()
            if view not in VIEWS or name != "weekly_distance":
                return PlainTextResponse("Not Found", status_code=404)
            svg = pages.chart(store, athlete_id, today(store.get_athlete(athlete_id).timezone), name, view=view)
        if svg is None:
            return PlainTextResponse("Not Found", status_code=404)
        return Response(svg, media_type="image/svg+xml")

    def own_athlete(store: Any, request: Request) -> accounts.Session | None:
        """The session, when it is the athlete's own (only they log their pain)."""
        session = session_of(request, store)
        athlete_id = request.path_params["athlete_id"]
        if session is None or session.user.role != "athlete" or session.user.subject_id != athlete_id:
            return None
        return session

    def pain_form(request: Request, store: Any, session: accounts.Session, *, values: dict[str, str] | None = None,
                  error: str | None = None, status: int = 200) -> Response:
        athlete = store.get_athlete(session.user.subject_id)
        return render("app_pain.html.j2", status, session=session, athlete=athlete, v=_Values(values or {}), error=error,
                      sides=PAIN_SIDES, locations=PAIN_LOCATIONS, swellings=PAIN_SWELLING,
                      signs=list(PAIN_SIGNS.items()), today=today(athlete.timezone).isoformat())

    def pain_new(request: Request) -> Response:
        with open_store() as store:
            session = own_athlete(store, request)
            if session is None:
                return forbidden()
            return pain_form(request, store, session)

    async def pain_post(request: Request) -> Response:
        form = await form_of(request)
        return await pools.run("writes", _pain_post, request, form)

    def _pain_post(request: Request, form: dict[str, str]) -> Response:
        with open_store() as store:
            session = own_athlete(store, request)
            if not allowed(session, store, form=form):
                return forbidden()
            athlete_id = session.user.subject_id
            athlete = store.get_athlete(athlete_id)
            values = {k: v for k, v in form.items() if k in FIELD_NAMES and v.strip()}
            values.setdefault("date", today(athlete.timezone).isoformat())
            for sign in PAIN_SIGNS:
                values.setdefault(sign, "no")
            try:
                entry = make_entry(values)
                rpe = parse_score("rpe", form.get("rpe"))
                if is_empty(entry):
                    raise InputError("nothing to log: give at least one score (0 counts), a sign, swelling or a note")
                entry_id = add_entry(store, athlete_id, entry, source="web")
            except FieldError as exc:
                return pain_form(request, store, session, values=form, status=400,
                                 error=f"{exc.field.replace('_', ' ')}: {exc}")
            except InputError as exc:
                return pain_form(request, store, session, values=form, status=400, error=str(exc))
            if rpe is not None:
                _rate_run(store, athlete_id, entry.date, rpe)
            pages.forget(athlete_id)
            flags = entry_flags(store, athlete_id, entry_id, entry.date)
            day = today(athlete.timezone)
            r = pages.report(store, athlete_id, day)
            care = care_for(athlete.timezone)

            described = f"{entry.date.isoformat()}, {fmt.pain_where(entry)}"
            task = (BackgroundTask(mailer, athlete_id, entry_id, entry.date, flags)
                    if flags and mailer is not None else None)
            response = render("app_logged.html.j2", session=session, r=r, flags=flags, level_words=RED_FLAG_HEADLINES,
                              advice=lambda level: advice(level, care), described=described,
                              mailed=task is not None)
            response.background = task
            return response

    async def note_post(request: Request) -> Response:
        form = await form_of(request)

        def run() -> Response:
            athlete_id = request.path_params["athlete_id"]
            with open_store() as store:
                session = session_of(request, store)
                if not allowed(session, store, athlete_id=athlete_id, form=form, role="coach"):
                    return forbidden()
                week = form.get("week", "")

                if week != iso_label(week_start_of(today("UTC"))) and not _week_label(week):
                    return forbidden()
                try:
                    accounts.add_note(store, session.user.subject_id, athlete_id, week, form.get("text", ""))
                except InputError:
                    return PlainTextResponse("The note was not saved: it is empty, too long, or holds a control "
                                             "character.", status_code=400)
            return RedirectResponse(f"/athletes/{athlete_id}", status_code=303)

        return await pools.run("writes", run)

    def import_page(request: Request) -> Response:
        with open_store() as store:
            session = own_athlete(store, request)
            if session is None:
                return forbidden()
            return render("app_import.html.j2", session=session, athlete=store.get_athlete(session.user.subject_id),
                          s=None, lines=[], error=None)

    async def import_post(request: Request) -> Response:


        if int(request.headers.get("content-length") or 0) > MAX_UPLOAD_BYTES:
            return PlainTextResponse("Too large", status_code=413)
        folder = Path(tempfile.mkdtemp(prefix="runload-upload-"))
        try:
            async with request.form(max_files=MAX_UPLOAD_FILES, max_fields=5) as form:
                token = form.get("csrf_token")
                written, total = [], 0
                for i, f in enumerate(form.getlist("files")):
                    if not isinstance(f, UploadFile) or not f.filename:
                        continue
                    path = folder / f"{i:04d}-{_safe_name(f.filename)}"
                    with path.open("wb") as out:
                        while chunk := await f.read(1 << 20):
                            total += len(chunk)
                            if total > MAX_UPLOAD_BYTES:
                                return PlainTextResponse("Too large", status_code=413)
                            out.write(chunk)
                    written.append(path)
            return await pools.run("writes", _import, request, token if isinstance(token, str) else None, folder, written)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _import(request: Request, token: str | None, folder: Path, files: list[Path]) -> Response:
        with open_store() as store:
            session = own_athlete(store, request)
            if session is None or not csrf_ok(token, session.csrf_token):
                return forbidden()
            athlete_id = session.user.subject_id
            athlete = store.get_athlete(athlete_id)
            if not files:
                return render("app_import.html.j2", 400, session=session, athlete=athlete, s=None, lines=[],
                              error="No file was sent.")
            try:
                # parsed in this process: the server's threads must not be forked
                summary = import_paths(store, athlete_id, files, workers=0)
            except RunloadError as err:
                return render("app_import.html.j2", 400, session=session, athlete=athlete, s=None, lines=[],
                              error=str(err))
            pages.forget(athlete_id)
            return render("app_import.html.j2", session=session, athlete=athlete, s=summary,
                          lines=_summary_lines(summary, folder), error=None)

    def shoes_form(store: Any, session: accounts.Session, *, values: dict[str, str] | None = None,
                   error: str | None = None, done: str | None = None, status: int = 200) -> Response:
        athlete_id = session.user.subject_id
        athlete = store.get_athlete(athlete_id)
        return render("app_shoes.html.j2", status, session=session, athlete=athlete, error=error, done=done,
                      totals=shoe_totals(store.activities(athlete_id), store.shoes(athlete_id)),
                      state_words=state_words, v=_Values(values or {}), today=today(athlete.timezone).isoformat())

    def shoes_page(request: Request) -> Response:
        with open_store() as store:
            session = own_athlete(store, request)
            if session is None:
                return forbidden()
            return shoes_form(store, session)

    def shoe_change(change: Callable[[Any, str, dict[str, str], date], str]) -> Callable[[Request], Any]:
        """A shoe form's endpoint: the athlete's own, with its CSRF token; ``change(store,
        athlete_id, form, today)`` makes the change through the store (as ``runload shoe`` does)
        and says what it did; an input error is shown on the form."""
        async def endpoint(request: Request) -> Response:
            form = await form_of(request)

            def run() -> Response:
                with open_store() as store:
                    session = own_athlete(store, request)
                    if not allowed(session, store, form=form):
                        return forbidden()
                    athlete_id = session.user.subject_id
                    try:
                        done = change(store, athlete_id, form, today(store.get_athlete(athlete_id).timezone))
                    except InputError as err:
                        return shoes_form(store, session, values=form, status=400, error=str(err))
                    pages.forget(athlete_id)
                    return shoes_form(store, session, done=done)

            return await pools.run("writes", run)

        return endpoint

    def add_shoe(store: Any, athlete_id: str, form: dict[str, str], day: date) -> str:
        shoe = new_shoe(form.get("name", ""), start_km=_number(form, "start_km", "km before runload"),
                        retire_km=_number(form, "retire_km", "retire at km"),
                        default=form.get("default") == "yes", names=("km before runload", "retire at km"))
        store.add_shoe(athlete_id, shoe)
        return f"Added shoe {inline(shoe.name)}" + (", the default for new runs." if shoe.default else ".")

    def retire_shoe(store: Any, athlete_id: str, form: dict[str, str], day: date) -> str:
        name, on = _registered(store, athlete_id, form), form.get("date", "").strip()
        try:
            when = date.fromisoformat(on) if on else day
        except ValueError:
            raise InputError(f"put away on: '{inline(on)}' is not a day (YYYY-MM-DD)") from None
        store.retire_shoe(athlete_id, name, when)
        return f"Retired shoe {inline(name)} on {when.isoformat()}."

    def default_shoe(store: Any, athlete_id: str, form: dict[str, str], day: date) -> str:
        name = _registered(store, athlete_id, form)
        store.set_default_shoe(athlete_id, name)
        return f"New runs get shoe {inline(name)}."

    def plan_page(request: Request) -> Response:
        athlete_id = request.path_params["athlete_id"]
        with open_store() as store:
            session = session_of(request, store)
            if not allowed(session, store, athlete_id=athlete_id):
                return forbidden()
            athlete = store.get_athlete(athlete_id)
            day = today(athlete.timezone)
            stored = [p for p in store.planned_runs(athlete_id) if p.date > day]
            runs = "\n".join(f"{p.date.isoformat()}:{p.distance_km:g}:{p.kind}" for p in stored)
            return render("app_plan.html.j2", session=session, athlete=athlete, runs=runs, pv=None, error=None)

    async def plan_post(request: Request) -> Response:
        form = await form_of(request)

        def run() -> Response:
            athlete_id = request.path_params["athlete_id"]
            with open_store() as store:
                session = session_of(request, store)
                if not allowed(session, store, athlete_id=athlete_id, form=form):
                    return forbidden()
                athlete = store.get_athlete(athlete_id)
                text = form.get("runs", "")
                lines = [line.strip() for line in text.splitlines() if line.strip()]
                try:
                    if not lines:
                        raise InputError("give at least one planned run")
                    if len(lines) > MAX_PLAN_LINES:
                        raise InputError(f"at most {MAX_PLAN_LINES} planned runs in one check")
                    planned = [parse_run_option(line) for line in lines]
                    day = today(athlete.timezone)
                    baseline = pages.report(store, athlete_id, day).assessment
                    check = check_plan(store.athlete_data(athlete_id), book, planned, day, baseline=baseline)
                except InputError as err:
                    return render("app_plan.html.j2", 400, session=session, athlete=athlete, runs=text, pv=None,
                                  error=str(err).replace("--run ", ""))
                return render("app_plan.html.j2", session=session, athlete=athlete, runs=text,
                              pv=plan_view(check, athlete.units), error=None)

        return await pools.run("pages", run)

    def in_pool(func: Callable[[Request], Response]) -> Callable[[Request], Any]:
        """A page's blocking handler as an endpoint that runs it in the pages' pool."""
        async def endpoint(request: Request) -> Response:
            return await pools.run("pages", func, request)

        return endpoint

    routes = [
        Route("/healthz", healthz),
        Route("/login", in_pool(login_page), methods=["GET"]),
        Route("/login", login_post, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", in_pool(home)),
        Route("/athletes/{athlete_id}", in_pool(athlete)),
        Route("/athletes/{athlete_id}/charts/{name}.svg", in_pool(chart)),
        Route("/athletes/{athlete_id}/pain/new", in_pool(pain_new)),
        Route("/athletes/{athlete_id}/pain", pain_post, methods=["POST"]),
        Route("/athletes/{athlete_id}/notes", note_post, methods=["POST"]),
        Route("/athletes/{athlete_id}/import", in_pool(import_page), methods=["GET"]),
        Route("/athletes/{athlete_id}/import", import_post, methods=["POST"]),
        Route("/athletes/{athlete_id}/shoes", in_pool(shoes_page), methods=["GET"]),
        Route("/athletes/{athlete_id}/shoes", shoe_change(add_shoe), methods=["POST"]),
        Route("/athletes/{athlete_id}/shoes/retire", shoe_change(retire_shoe), methods=["POST"]),
        Route("/athletes/{athlete_id}/shoes/default", shoe_change(default_shoe), methods=["POST"]),
        Route("/athletes/{athlete_id}/plan", in_pool(plan_page), methods=["GET"]),
        Route("/athletes/{athlete_id}/plan", plan_post, methods=["POST"]),
    ]
    if warm:
        def warm_up() -> None:
            with open_store() as store:
                pages.warm(store, [a.id for a in store.list_athletes()], today)

        threading.Thread(target=warm_up, name="runload-warm", daemon=True).start()
    app = Starlette(routes=routes)
    app.add_middleware(SecurityHeaders)
    app.state.pages = pages
    app.state.store_path = store_path
    return app


def _part(template: str, r: Any, view: str) -> Any:
    """A part of an athlete's page that depends on their report only (kept with it)."""


    base = f"/athletes/{r.athlete.id}"
    chart = (f"{base}/charts/weekly_distance.svg?view={view}"
             if any(c.name == "weekly_distance" and c.available for c in r.charts) else None)
    return Markup(_env().get_template(template).render(
        r=r, view=view, views=VIEW_LABELS, base=base, chart=chart,
        pain_trend=fmt.pain_trend_words(r.pain.trend, r.pain.last_7d_max, r.pain.prev_7d_max)))


class _Values(dict):
    """The form's values sent back with an error: a field not sent reads as blank."""

    def __missing__(self, key: str) -> str:
        return ""


def _number(form: dict[str, str], field: str, label: str) -> float | None:
    """A number field of a form (blank: None); ``label`` names it in an error."""

    text = form.get(field, "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{label}: '{inline(text)}' is not a number") from None


def _registered(store: Any, athlete_id: str, form: dict[str, str]) -> str:
    """The form's shoe name, when it is one the athlete registered (the form lists only those)."""

    name = form.get("name", "")
    if name not in {s.name for s in store.shoes(athlete_id)}:
        raise InputError(f"no shoe named '{inline(name)}': add it first")
    return name


def _safe_name(name: str) -> str:
    """An uploaded file's own name, without folders or characters a file system may refuse; the
    importer reads what a file is from its bytes, so only the extension matters to a person."""

    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base)[-120:].lstrip(".") or "file"


def _summary_lines(summary: Any, folder: Path) -> list[str]:
    """The import summary's duplicates, warnings and failures, one line each, with the upload's
    folder taken off the names (the person knows them by their own names)."""
    def name(text: str) -> str:
        text = inline(str(text)).replace(str(folder) + "/", "")
        return re.sub(r"^[0-9]{4}-", "", text)


    lines = [f"duplicate: {name(d['file'])} (kept {name(d['kept'])})" for d in summary.duplicates]
    lines += [f"warning: {name(w['file'])}: {name(w['warning'])}" for w in summary.warnings]
    lines += [f"failed: {name(f['file'])}: {name(f['reason'])}" for f in summary.failed]
    return lines


def _week_label(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{4}-W[0-9]{2}", text))


def _rate_run(store: Any, athlete_id: str, day: date, rpe: int) -> None:
    """The RPE given with a pain entry goes to that day's last run (a person's correction, kept
    beside what the watch recorded), when there is one."""

    runs = [a for a in store.activities(athlete_id) if a.sport == Sport.RUNNING and local_date(a) == day]
    if runs and runs[-1].id is not None:
        store.correct_activity(runs[-1].id, {"rpe": float(rpe)})


def _cookie(response: Response, request: Request, name: str, value: str, *, max_age: int) -> None:
    """A cookie the page's script could not read (there is none) and no other site can send:
    HttpOnly, SameSite=Strict, Secure behind HTTPS."""
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


class Pools:
    """Bounded thread pools for the blocking work (the store, Argon2, an assessment, a chart),
    so it runs off the event loop and no kind of work can take every thread: ``sizes`` gives
    how many of each kind run at once (:data:`POOLS`); the others wait their turn in order."""

    def __init__(self, sizes: dict[str, int]) -> None:
        self.sizes = dict(sizes)
        self._limiters: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()

    def limiter(self, kind: str) -> Any:
        """The kind's limiter on the running event loop (a limiter belongs to one loop)."""


        per_loop = self._limiters.setdefault(asyncio.get_running_loop(), {})
        if kind not in per_loop:
            per_loop[kind] = anyio.CapacityLimiter(self.sizes[kind])
        return per_loop[kind]

    async def run(self, kind: str, func: Callable[..., Response], *args: Any) -> Response:
        return await anyio.to_thread.run_sync(functools.partial(func, *args), limiter=self.limiter(kind))
