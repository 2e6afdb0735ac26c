// numerous sign-in for the page: who is signed in, the access token's refresh before it
// expires, sign-out. Loaded by numerous.js on protected apps, as `window.numerousAuth`.
//
// The tokens are HttpOnly cookies: scripts never see them. The refresh POSTs to
// `<base>/api/auth/refresh`, which rotates both cookies; tabs refresh one at a time (Web Locks),
// and a tab that finds its sign-in refreshed by another adopts it.

const ANONYMOUS = Object.freeze({
  authenticated: false,
  username: null,
  user_id: null,
  roles: [],
  is_admin: false,
});

export class NumerousAuth {
  /** `base`: the app's prefix ("" at the root). */
  constructor(base) {
    this.base = base;
    this.user = null;
    this.expiresAt = 0;
    this.timer = null;
  }

  /** Loads who is signed in; resolves to the user context. */
  async load() {
    const me = await this._me();
    if (me) this._adopt(me);
    return this.getUserContext();
  }

  isAuthenticated() {
    return this.user !== null;
  }

  /** `{authenticated, username, user_id, roles, is_admin}`. */
  getUserContext() {
    return this.user ? { ...this.user, authenticated: true } : { ...ANONYMOUS };
  }

  /**
   * Signs in with a name and a password, as the login page's form does (JSON, so no CSRF token
   * is needed: another site cannot send it). Resolves to the user context; rejects with the
   * server's words (a wrong password, an inactive user, too many tries).
   */
  async login(username, password) {
    const r = await fetch(`${this.base}/api/auth/login`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-Requested-With": "numerous" },
      body: JSON.stringify({ username, password }),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.detail ?? `the sign-in failed (${r.status})`);
    this._adopt({ ...body.user, expires_in: body.expires_in });
    return this.getUserContext();
  }

  /**
   * `fetch` with the sign-in: the cookies of this site, and after a 401 one refresh of the
   * tokens and one retry (as numerous-apps' `authFetch`). A body sent twice must be one that can
   * be (a string, `FormData`, a `Blob`; not a stream). When the refresh fails too, the page goes
   * to the login page and the 401 is returned.
   */
  async authFetch(url, options = {}) {
    const init = { credentials: "same-origin", ...options };
    // A `Request` with a body is read by the first fetch: the retry sends a copy.
    const again = url instanceof Request ? url.clone() : url;
    const first = await fetch(url, init);
    if (first.status !== 401) return first;
    // A refresh that another tab made meanwhile counts too: `refresh` looks first.
    if (!(await this.refresh())) return first;
    return fetch(again, init);
  }

  /** Signs out everywhere this sign-in reached (its tabs close), then shows the login page. */
  async logout() {
    clearTimeout(this.timer);
    try {
      await fetch(`${this.base}/api/auth/logout`, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-Requested-With": "numerous" },
      });
    } finally {
      this.user = null;
      location.assign(`${this.base}/login`);
    }
  }

  /** The login page, coming back here afterwards; `reason` ("expired") shows a notice. */
  loginUrl(reason) {
    const next = encodeURIComponent(location.pathname + location.search);
    return `${this.base}/login?next=${next}${reason ? `&reason=${reason}` : ""}`;
  }

  /** Gets a fresh access token; resolves to whether the user is still signed in. On failure
   * the page goes to the login page. */
  async refresh() {
    const run = () => this._refresh();
    const ok = navigator.locks ? await navigator.locks.request("numerous-auth", run) : await run();
    if (!ok) {
      this.user = null;
      location.assign(this.loginUrl("expired"));
    }
    return ok;
  }

  async _refresh() {
    // Another tab may have refreshed while this one waited for the lock: the cookie is new.
    const me = await this._me();
    if (me && me.expires_in > 120) {
      this._adopt(me);
      return true;
    }
    try {
      const r = await fetch(`${this.base}/api/auth/refresh`, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-Requested-With": "numerous" },
      });
      if (r.status === 429 || r.status === 503) {
        // Too many refreshes, or the server is busy: the login stays; try again when told.
        this._schedule(Number(r.headers.get("retry-after")) || 5);
        return true;
      }
      if (!r.ok) return false;
      const body = await r.json();
      this._adopt({ ...body.user, expires_in: body.expires_in });
      return true;
    } catch {
      // Offline: try again soon; the socket reconnects on its own.
      this._schedule(15);
      return true;
    }
  }

  async _me() {
    try {
      const r = await fetch(`${this.base}/api/auth/me`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      return r.ok ? await r.json() : null;
    } catch {
      return null;
    }
  }

  _adopt(me) {
    const { expires_in, authenticated: _, ...user } = me;
    this.user = user;
    this.expiresAt = Date.now() + expires_in * 1000;
    // A minute before expiry, or at 80 % of a short lifetime.
    this._schedule(Math.max(5, Math.min(expires_in - 60, expires_in * 0.8)));
  }

  _schedule(seconds) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), seconds * 1000);
  }
}
