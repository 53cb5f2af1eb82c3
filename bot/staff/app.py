"""The staff pages (Flask, server-rendered, no script): sign-in, the leads of the officer's
province with filters, search, exports and the follow-up of each lead, the conversations waiting
for an officer (bot/staff/conversations.py), the overview, and the administrator's user management.
Every page but /login, the health checks (/health, /health/live, /health/ready) and the style sheet
needs a session; every form carries the session's CSRF token; failed sign-ins are rate-limited per
client address."""
from __future__ import annotations

import logging
import re
import secrets
from datetime import date
from functools import wraps
from typing import Callable
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, redirect, render_template, request, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy import text
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.handoff.queue import HandoffQueue
from bot.handoff.rasa_api import RasaApi
from bot.handoff.takeover import Takeover
from bot.language.provinces import all_provinces
from bot.leads import thanks
from bot.leads.models import NEXT_STATUSES, REGISTERED, STATUSES, Lead
from bot.leads.store import LeadStore, WorkflowError
from bot.notify.status import undelivered
from bot.notify.working_days import DEADLINE_WORKING_DAYS
from bot.ops import health as ops_health
from bot.outbox import Outbox, default_directory
from bot.policy import clock
from bot.staff import charts, conversations, exports, queries
from bot.staff.accounts import (ADMIN, DEVICE_MAX_AGE, OFFICE, ROLE_LABELS, ROLES, TRAINER, AccountError,
                                Accounts, one_time_password, same_token)
from bot.staff.labels import channel_label, erasure_label, group_label, interests_label
from bot.staff.transcript import transcript
from bot.storage.orm import now as clock_now
from bot.training.review import Inbox, ReviewError, Withdrawn, domain_intents, trained_texts

log = logging.getLogger(__name__)

SESSION_COOKIE, LOGIN_CSRF_COOKIE, DEVICE_COOKIE = "staff_session", "staff_login_csrf", "staff_device_{}"
# Failed sign-ins allowed per client address (Flask-Limiter's notation); a sign-in that succeeds does
# not count, so that the officers of one office behind one address do not use it up.
SIGN_IN_LIMIT = "10 per 15 minutes"
MAX_REQUEST_BYTES = 64 * 1024
PUBLIC_ENDPOINTS = {"login", "health", "health_live", "health_ready", "static"}
NO_SESSION_ENDPOINTS = {"static", "health_live", "health_ready"}  # never a database round trip for a session
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
ERROR_TEXTS = {
    400: "Yêu cầu không hợp lệ. Anh/chị tải lại trang rồi thử lại.",
    403: "Tài khoản của anh/chị không có quyền xem trang này.",
    404: "Không tìm thấy trang hoặc yêu cầu này.",
    405: "Thao tác không được hỗ trợ.",
    413: "Nội dung gửi lên quá lớn.",
    429: "Anh/chị đã đăng nhập sai nhiều lần. Xin vui lòng đợi ít phút rồi thử lại.",
}


def create_app(engine: Engine, secure_cookies: bool = True, today: Callable[[], date] = clock.today,
               sign_in_limit: str = SIGN_IN_LIMIT, rate_limit_storage: str = "memory://",
               trusted_proxies: int = 0, outbox: Outbox | None = None,
               takeover: Callable[[], Takeover] | None = None) -> Flask:
    """`trusted_proxies`: how many reverse proxies stand in front; the client address is then taken
    from that many X-Forwarded-For entries (none by default: the header is anyone's to forge).
    `takeover`: the officers' actions on conversations (default: Rasa's API and the channels of the
    environment, made on first use)."""
    app = Flask(__name__)
    outbox = outbox or Outbox(default_directory())
    app.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES)
    if trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies)  # type: ignore[method-assign]
    # A shared storage (Redis) when several processes serve the pages; the memory of this process
    # takes over while it cannot be reached.
    limiter = Limiter(app, key_func=get_remote_address, storage_uri=rate_limit_storage, strategy="moving-window",
                      headers_enabled=True, in_memory_fallback_enabled=True)
    accounts, store = Accounts(engine), LeadStore(engine)
    officers = takeover or _takeover_from_env(engine)  # the channels and Rasa's API, made on first use
    thanks.enabled()  # a wrong BOT_THANK_YOU stops the start
    app.jinja_env.filters.update(
        vn_time=lambda at: queries.local(at).strftime("%d/%m/%Y %H:%M") if at else "",
        channel=channel_label, group=group_label, interests=interests_label, erasure=erasure_label,
        money=lambda v: f"{v:,}".replace(",", ".") + " đồng" if v else "",
    )
    app.jinja_env.globals.update(STATUSES=STATUSES, ROLE_LABELS=ROLE_LABELS)

    def set_cookie(response: Response, name: str, value: str, max_age: int | None = None, path: str = "/") -> None:
        response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="Lax",
                            secure=secure_cookies, path=path)

    def set_device_cookie(response: Response, user_id: int, token: str) -> None:
        """This browser passes a lock-out of this account (bot.staff.accounts); sent to /login only."""
        set_cookie(response, DEVICE_COOKIE.format(user_id), token, max_age=int(DEVICE_MAX_AGE.total_seconds()),
                   path=url_for("login"))

    @app.before_request
    def authenticate() -> Response | None:
        # The style sheet, the icon and the probes need no session: no database round trip for them.
        g.signed = None if request.endpoint in NO_SESSION_ENDPOINTS else accounts.current(request.cookies.get(SESSION_COOKIE))
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if g.signed is None:
            target = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("login", next=target), 303)
        if request.method == "POST" and not same_token(request.form.get("csrf_token"), g.signed.csrf_token):
            log.warning("CSRF token missing or wrong for %s %s", request.method, request.path)
            abort(400)
        if g.signed.staff.must_change_password and request.endpoint not in ("password", "logout"):
            return redirect(url_for("password"), 303)
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        if request.endpoint == conversations.LIVE_ENDPOINT:  # framed by the conversation's own page
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
            response.headers["Content-Security-Policy"] = SECURITY_HEADERS["Content-Security-Policy"].replace(
                "frame-ancestors 'none'", "frame-ancestors 'self'")
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(HTTPException)
    def error_page(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        return render_template("error.html", problem=ERROR_TEXTS.get(code, "Đã có lỗi."), code=code), code

    def roles(*allowed: str) -> Callable:
        def decorate(view: Callable) -> Callable:
            @wraps(view)
            def guarded(*args, **kwargs):  # type: ignore[no-untyped-def]
                if g.signed.staff.role not in allowed:
                    abort(403)
                return view(*args, **kwargs)
            return guarded
        return decorate

    @app.get("/health")
    def health() -> Response:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return Response("ok", mimetype="text/plain")

    @app.get("/health/live")
    def health_live() -> tuple[dict, int]:
        return ops_health.LIVE, 200

    @app.get("/health/ready")
    def health_ready() -> tuple[dict, int]:
        status, body = ops_health.readiness(engine, outbox.directory)
        return body, status

    @app.route("/login", methods=["GET", "POST"])
    @limiter.limit(sign_in_limit, methods=["POST"], deduct_when=lambda response: response.status_code == 401)
    def login():  # type: ignore[no-untyped-def]
        target = _safe_next(request.values.get("next"))
        if request.method == "GET":
            if g.signed:
                return redirect(target, 303)
            # Keep the token of an earlier visit: a second tab (or the browser's own request for
            # /favicon.ico, redirected here) must not invalidate the form already on screen.
            earlier = request.cookies.get(LOGIN_CSRF_COOKIE, "")
            token = earlier if _TOKEN.fullmatch(earlier) else secrets.token_urlsafe(32)
            response = Response(render_template("login.html", csrf_token=token, next=target))
            set_cookie(response, LOGIN_CSRF_COOKIE, token, max_age=3600)
            return response
        if not same_token(request.form.get("csrf_token"), request.cookies.get(LOGIN_CSRF_COOKIE, "")):
            abort(400)
        try:
            signed = accounts.sign_in(request.form.get("username", ""), request.form.get("password", ""),
                                      lambda user_id: request.cookies.get(DEVICE_COOKIE.format(user_id)))
        except AccountError as error:
            token = request.cookies[LOGIN_CSRF_COOKIE]
            return render_template("login.html", csrf_token=token, next=target, error=str(error),
                                   username=request.form.get("username", "")[:40]), 401
        response = redirect(target, 303)
        set_cookie(response, SESSION_COOKIE, signed.token)
        set_device_cookie(response, signed.staff.id, signed.device_token)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return response

    @app.post("/logout")
    def logout() -> Response:
        accounts.sign_out(g.signed.token)
        response = redirect(url_for("login"), 303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.route("/password", methods=["GET", "POST"])
    def password():  # type: ignore[no-untyped-def]
        if request.method == "GET":
            return render_template("password.html")
        new, again = request.form.get("new", ""), request.form.get("again", "")
        try:
            if new != again:
                raise AccountError("Hai lần nhập mật khẩu mới không giống nhau.")
            device_token = accounts.change_password(g.signed.staff.id, request.form.get("old", ""), new,
                                                    g.signed.token)
        except AccountError as error:
            return render_template("password.html", error=str(error)), 400
        response = redirect(url_for("home"), 303)
        set_device_cookie(response, g.signed.staff.id, device_token)
        return response

    @app.get("/")
    def home() -> Response:
        return redirect(url_for("leads" if g.signed.staff.sees_leads else "review"), 303)

    @app.get("/leads")
    @roles(ADMIN, OFFICE)
    def leads() -> str:
        chosen = queries.LeadFilter.from_args(request.args, g.signed.staff)
        page = queries.leads_page(engine, chosen, request.args.get("page", 1, type=int) or 1)
        return render_template("leads.html", page=page, filter=chosen,
                               choices=queries.choices(engine, g.signed.staff))

    @app.get("/leads/export.<kind>")
    @roles(ADMIN, OFFICE)
    def export(kind: str) -> Response:
        if kind not in ("csv", "xlsx"):
            abort(404)
        chosen = queries.LeadFilter.from_args(request.args, g.signed.staff)
        rows = queries.all_leads(engine, chosen)
        log.info("%s exported %d lead(s) as %s", g.signed.staff.username, len(rows), kind)
        name = f"yeu-cau-tu-van-{today():%Y-%m-%d}.{kind}"
        if kind == "csv":
            body, mimetype = exports.to_csv(rows), "text/csv; charset=utf-8"
        else:
            body, mimetype = exports.to_xlsx(rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    def lead_or_404(lead_id: int):  # type: ignore[no-untyped-def]
        lead = queries.lead_for(engine, lead_id, g.signed.staff)
        if lead is None:
            abort(404)  # also another province's lead: its existence is not revealed
        return lead

    def lead_page(lead_id: int, error: str | None = None, status: int = 200) -> tuple[str, int]:
        lead = lead_or_404(lead_id)
        conversations = list(dict.fromkeys([c.conversation_id for c in lead.consents] + [lead.conversation_id]))
        talks = [] if lead.anonymised_at else [(c, transcript(engine, c)) for c in conversations]
        return render_template("lead.html", lead=lead, talks=talks, erasures=queries.erasures(engine, conversations),
                               withdrawn=any(c.withdrawn_at for c in lead.consents), error=error,
                               next_statuses=NEXT_STATUSES.get(lead.status, ()),
                               officers=accounts.officers(lead.province)), status

    @app.get("/leads/<int:lead_id>")
    @roles(ADMIN, OFFICE)
    def lead(lead_id: int) -> tuple[str, int]:
        return lead_page(lead_id)

    def change(lead_id: int, apply: Callable[[Lead], None]) -> Response | tuple[str, int]:
        lead = lead_or_404(lead_id)
        try:
            apply(lead)
        except WorkflowError as error:
            return lead_page(lead_id, str(error), 409)
        return redirect(url_for("lead", lead_id=lead_id), 303)

    @app.post("/leads/<int:lead_id>/status")
    @roles(ADMIN, OFFICE)
    def lead_status(lead_id: int):  # type: ignore[no-untyped-def]
        def apply(_: Lead) -> None:
            status, officer = request.form.get("status", ""), g.signed.staff.username
            store.change_status(lead_id, status, officer)
            if status == REGISTERED:
                thanks.thank(store, lead_id, officer, officers)  # the lead's notes say whether it went out
        return change(lead_id, apply)

    @app.post("/leads/<int:lead_id>/assign")
    @roles(ADMIN, OFFICE)
    def lead_assign(lead_id: int):  # type: ignore[no-untyped-def]
        def assign(lead: Lead) -> None:
            username = request.form.get("assigned_to") or None
            if username and username not in accounts.officers(lead.province):
                raise WorkflowError("Chỉ giao được cho cán bộ của tỉnh này hoặc quản trị viên.")
            store.assign(lead_id, username, g.signed.staff.username)
        return change(lead_id, assign)

    @app.post("/leads/<int:lead_id>/notes")
    @roles(ADMIN, OFFICE)
    def lead_note(lead_id: int):  # type: ignore[no-untyped-def]
        return change(lead_id, lambda _: store.add_note(lead_id, request.form.get("text", ""), g.signed.staff.username))

    @app.get("/overview")
    def overview() -> str:
        figures = queries.overview(engine, g.signed.staff, today())
        administrator = g.signed.staff.role == ADMIN  # the outbox is the server's, not a province's
        return render_template(
            "overview.html", figures=figures, per_day=charts.per_day(figures.per_day),
            waiting=len(outbox.pending()) if administrator else None,
            dead_letters=len(outbox.dead_letters()) if administrator else None,
            undelivered=undelivered(engine) if administrator else None, deadline_days=DEADLINE_WORKING_DAYS,
            charts=[(title, *charts.horizontal(items)) for title, items in (
                ("Theo trạng thái", figures.by_status),
                ("Theo tỉnh, thành phố", figures.by_province),
                ("Theo kênh", [(channel_label(c), n) for c, n in figures.by_channel]),
                ("Theo nhóm đối tượng", [(group_label(t) or t, n) for t, n in figures.by_target_group]),
            )],
            geometry=charts,
        )

    app.register_blueprint(conversations.blueprint(engine, officers))

    inbox = Inbox(engine)

    def review_page(error: str | None = None, message: str | None = None) -> tuple[str, int]:
        inbox.scan()
        return render_template("review.html", groups=inbox.groups(), counts=inbox.counts(), intents=domain_intents(),
                               error=error, message=message), 400 if error else 200

    @app.get("/review")
    @roles(ADMIN, TRAINER)
    def review() -> tuple[str, int]:
        return review_page()

    @app.post("/review/label")
    @roles(ADMIN, TRAINER)
    def review_label():  # type: ignore[no-untyped-def]
        form = request.form
        try:
            done = inbox.label(form.get("key", ""), form.get("action", ""), form.get("intent") or None,
                               domain_intents(), g.signed.staff.username)
        except ReviewError as error:
            return review_page(error=str(error))
        log.info("%s reviewed %d message(s) (%s)", g.signed.staff.username, done, form.get("action"))
        return redirect(url_for("review"), 303)

    @app.get("/review/export.yml")
    @roles(ADMIN, TRAINER)
    def review_export() -> Response:
        body = inbox.export_yaml(trained_texts())
        return Response(body, mimetype="application/x-yaml; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="reviewed.yml"'})

    @app.get("/review/story.yml")
    @roles(ADMIN, TRAINER)
    def review_story():  # type: ignore[no-untyped-def]
        try:
            body = inbox.story(request.args.get("conversation", "")[:255])
        except Withdrawn as error:
            return render_template("error.html", problem=str(error), code=410), 410
        except ReviewError:
            abort(404)
        return Response(body, mimetype="application/x-yaml; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="test_story.yml"'})

    def users_page(message: str | None = None, error: str | None = None) -> tuple[str, int]:
        return render_template("users.html", users=accounts.users(), roles=ROLES, message=message, error=error,
                               provinces=[p.name for p in all_provinces()], now=clock_now()), 400 if error else 200

    @app.get("/users")
    @roles(ADMIN)
    def users() -> tuple[str, int]:
        return users_page()

    @app.post("/users")
    @roles(ADMIN)
    def create_user() -> tuple[str, int]:
        form = request.form
        chosen = form.get("password", "")
        try:
            created = accounts.create_user(form.get("username", ""), chosen or (generated := one_time_password()),
                                           form.get("role", ""), form.get("province") or None,
                                           must_change_password=True)
        except AccountError as error:
            return users_page(error=str(error))
        shown = "" if chosen else f" Mật khẩu dùng một lần: {generated}"
        return users_page(f"Đã tạo tài khoản {created.username}.{shown}")

    @app.post("/users/<int:user_id>/<action>")
    @roles(ADMIN)
    def user_action(user_id: int, action: str):  # type: ignore[no-untyped-def]
        try:
            if action == "reset":
                return users_page(f"Mật khẩu dùng một lần mới: {accounts.reset_password(user_id)}")
            if action == "unlock":
                accounts.unlock(user_id)
            elif action in ("deactivate", "activate"):
                accounts.set_active(user_id, action == "activate")
            else:
                abort(404)
        except AccountError as error:
            return users_page(error=str(error))
        return redirect(url_for("users"), 303)

    return app


def _takeover_from_env(engine: Engine) -> Callable[[], Takeover]:
    made: list[Takeover] = []

    def takeover() -> Takeover:
        if not made:
            from bot.handoff.senders import Senders  # imports Rasa's channel classes: on first use only
            made.append(Takeover(HandoffQueue(engine), RasaApi.from_env(), Senders.from_env(engine)))
        return made[0]
    return takeover


def _safe_next(target: str | None) -> str:
    """Only a path of this site (no open redirect to another one)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target.rstrip("?") or "/"
