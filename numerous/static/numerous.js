// numerous browser client: one model per widget (the anywidget model API), one WebSocket per tab.
// Wire format: docs/protocol.md. No build step; loaded as an ES module by the page.

const config = JSON.parse(document.getElementById("numerous-config").textContent);
const storageKey = (what) => `numerous_${what}:${config.base || "/"}`;

/**
 * The client's log, for diagnosing a page in a user's browser: errors and warnings as always;
 * `?numerous_log=info` (connections) or `?numerous_log=debug` (every frame in and out) in the
 * page's URL, or `localStorage.numerous_log = "debug"` for every page of the site, say more;
 * `off` says nothing. The URL's level is kept for the tab (sessionStorage) across reloads.
 */
const log = (() => {
  const LEVELS = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };
  const read = (storage) => {
    try {
      return storage().getItem("numerous_log");
    } catch {
      return null; // storage refused (a sandboxed frame)
    }
  };
  const fromUrl = new URLSearchParams(location.search).get("numerous_log");
  const known = (level) => level != null && Object.hasOwn(LEVELS, level);
  if (known(fromUrl)) {
    try {
      sessionStorage.setItem("numerous_log", fromUrl);
    } catch {}
  }
  const asked = [fromUrl, read(() => sessionStorage), read(() => localStorage)].find(known);
  const level = LEVELS[asked ?? "warn"];
  const at = (n, write) => (n <= level ? (...args) => write("numerous:", ...args) : () => {});
  return {
    level: asked ?? "warn",
    /** Whether `debug` writes anything: a frame is prepared for the log only then. */
    debugging: level >= LEVELS.debug,
    error: at(1, console.error),
    warn: at(2, console.warn),
    info: at(3, console.info),
    debug: at(4, console.debug),
  };
})();

/** The bytes of a binary value (`ArrayBuffer`, `DataView` or a typed array), else null. */
function bytesOf(value) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

function fromBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** `JSON.stringify` replacer: binary values travel as `{"$bytes": "<base64>"}`. */
function encodeBinary(_key, value) {
  const bytes = typeof value === "object" && value !== null ? bytesOf(value) : null;
  return bytes ? { $bytes: toBase64(bytes) } : value;
}

/** Turns `{"$bytes": ..}` objects in a received value into `DataView`s, as anywidget gives
 * binary values to modules. */
function decodeBinary(value) {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decodeBinary(value[i]);
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "$bytes" && typeof value.$bytes === "string") {
    return new DataView(fromBase64(value.$bytes).buffer);
  }
  for (const k of keys) value[k] = decodeBinary(value[k]);
  return value;
}

/** Structural equality for JSON values (binary values by their bytes). */
function same(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const x = bytesOf(a);
  const y = bytesOf(b);
  if (x || y) return Boolean(x && y) && x.length === y.length && x.every((v, i) => v === y[i]);
  return JSON.stringify(a, encodeBinary) === JSON.stringify(b, encodeBinary);
}

/** The anywidget model of one widget: get/set/save_changes/on/off/send. */
class Model {
  constructor(key, state, client) {
    this.key = key;
    this._state = { ...state };
    this._client = client;
    this._listeners = new Map();
    this._dirty = new Set();
    // anywidget's widget manager: models by id, which here is the widget's key in the app.
    this.widget_manager = {
      get_model: async (id) => {
        const model = client.models.get(id);
        if (!model) {
          const keys = [...client.models.keys()].join(", ");
          throw new Error(`numerous: no widget "${id}" in this app (its widgets: ${keys})`);
        }
        return model;
      },
    };
  }

  get(name) {
    return this._state[name];
  }

  set(name, value) {
    // As in Jupyter and marimo, a set marks the field changed even when the value is equal
    // (a module may have mutated the object `get` returned, then set a copy); listeners hear
    // only of real changes.
    const changed = !same(this._state[name], value);
    this._state[name] = value;
    this._dirty.add(name);
    if (!changed) return;
    this._emit(`change:${name}`, this, value);
    this._emit("change", this);
  }

  save_changes() {
    if (this._dirty.size === 0) return;
    const state = {};
    for (const name of this._dirty) state[name] = this._state[name];
    this._dirty.clear();
    this._client.update(this.key, state);
  }

  /** anywidget's `send`: `buffers` (ArrayBuffers, DataViews or typed arrays) reach the
   * handler as `ctx.buffers()`. */
  send(content, _callbacks, buffers) {
    this._client.message(this.key, content, buffers);
  }

  /** numerous extension: sends `file` to the widget's upload handler over HTTP; `onProgress`
   * is told the share sent so far (0 to 1) as it goes; `part` and `of` place it among files
   * picked together (from 1). Rejects with the server's error. */
  upload(file, { onProgress, part, of } = {}) {
    const url = new URL(`${config.base}/upload/${encodeURIComponent(this.key)}`, location.href);
    url.searchParams.set("name", file.name);
    if (part !== undefined && of !== undefined) {
      url.searchParams.set("part", String(part));
      url.searchParams.set("of", String(of));
    }
    // XMLHttpRequest, not fetch: only it reports an upload's progress.
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("content-type", file.type || "application/octet-stream");
    // The session id is a credential: in a header, never in the URL.
    request.setRequestHeader("x-numerous-session", this._client.session ?? "");
    if (onProgress) {
      request.upload.addEventListener("progress", (e) => e.lengthComputable && onProgress(e.loaded / e.total));
    }
    return new Promise((resolve, reject) => {
      request.addEventListener("load", () => {
        if (request.status >= 200 && request.status < 300) return resolve();
        let body = {};
        try {
          body = JSON.parse(request.responseText);
        } catch {}
        reject(new Error(body.detail ?? `upload failed (${request.status})`));
      });
      request.addEventListener("error", () => reject(new Error("upload failed: no connection to the server")));
      request.addEventListener("abort", () => reject(new Error("upload failed: it was stopped")));
      request.send(file);
    });
  }

  /** anywidget's `experimental.invoke`: calls the widget's `#[on_command]` handler named `name`
   * with `msg` (and `buffers`, as `ctx.buffers()`); resolves to `[answer, buffers]` (the answer's
   * buffers are always empty here), rejects with the handler's error, after `timeout` ms (30 s
   * by default), or when `signal` aborts. */
  _invoke(name, msg, { timeout = 30000, signal, buffers } = {}) {
    return this._client.invoke(this.key, name, msg, timeout, signal, buffers);
  }

  /** numerous extension: fetches the file this widget serves (a Download's), as a Blob. */
  async download(nonce) {
    const url = new URL(`${config.base}/download/${encodeURIComponent(this.key)}`, location.href);
    if (nonce != null) url.searchParams.set("nonce", String(nonce));
    const response = await fetch(url, {
      headers: { "x-numerous-session": this._client.session ?? "" },
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.detail ?? `download failed (${response.status})`);
    }
    return response.blob();
  }

  on(event, callback) {
    if (!this._listeners.has(event)) this._listeners.set(event, new Set());
    this._listeners.get(event).add(callback);
  }

  off(event, callback) {
    if (event == null) this._listeners.clear();
    else if (callback == null) this._listeners.delete(event);
    else this._listeners.get(event)?.delete(callback);
  }

  /** State from the server: fires change events for the fields that differ. A patch may also
   * append to array fields (`$append: {field: [..]}`, or a path into one: `"series.0.points"`)
   * and then keep their last n items (`$keep: {field: n}`): docs/protocol.md. */
  _apply(state) {
    let changed = false;
    const { $append: append, $keep: keep, ...fields } = state;
    const touched = new Set();
    for (const [path, extra] of Object.entries(append ?? {})) {
      const [name, ...rest] = path.split(".");
      // The field is copied along the path, so a module holding the old value keeps it.
      const copy = (value, keys) => {
        if (keys.length === 0) {
          let next = [...(value ?? []), ...extra];
          const n = keep?.[path];
          if (n != null && next.length > n) next = next.slice(next.length - n);
          return next;
        }
        const [key, ...more] = keys;
        const out = Array.isArray(value) ? [...value] : { ...(value ?? {}) };
        out[key] = copy(value?.[key], more);
        return out;
      };
      this._state[name] = copy(this._state[name], rest);
      this._dirty.delete(name);
      touched.add(name);
    }
    for (const name of touched) {
      changed = true;
      this._emit(`change:${name}`, this, this._state[name]);
    }
    for (const [name, value] of Object.entries(fields)) {
      if (same(this._state[name], value)) continue;
      this._state[name] = value;
      this._dirty.delete(name);
      changed = true;
      this._emit(`change:${name}`, this, value);
    }
    if (changed) this._emit("change", this);
  }

  _emit(event, ...args) {
    for (const callback of this._listeners.get(event) ?? []) {
      try {
        callback(...args);
      } catch (error) {
        log.error(`a "${event}" listener of widget "${this.key}" failed`, error);
      }
    }
  }
}

/** 128 random bits, hex. */
function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The fallback transport for networks that block WebSockets (docs/protocol.md): server-sent
 * events for what the server sends, ordered POSTs for what the tab sends, behind the interface of
 * a WebSocket (`send`, `readyState`, `onmessage`, `onclose`).
 */
class SseSocket {
  constructor(session) {
    this.readyState = 0;
    this.onmessage = null;
    this.onclose = null;
    this.queue = [];
    this.sending = false;
    this.open(session);
  }

  async open(session) {
    try {
      const headers = session ? { "x-numerous-session": session } : {};
      // Every request of the tab names `route` (its session, or for a new tab a random key of
      // its own), so a load balancer sends them all to one instance (deploy/nginx.conf).
      const route = session || randomKey();
      this.route = route;
      const response = await fetch(`${config.base}/sse?session=${route}`, { method: "POST", headers });
      if (!response.ok) {
        // Refused: the body says why (an HTTP error: `error` is the code a socket's error frame
        // would have had), the header the close code (4403 another user's session: start
        // afresh; 1013 the session limit: later).
        const close = Number(response.headers.get("x-numerous-close"));
        const body = await response.json().catch(() => null);
        // Only a refusal of the session (it carries its close code) is shown, as on a socket.
        if (close && body?.error && body.error !== "unavailable") {
          this.onmessage?.({ data: JSON.stringify({ type: "error", code: body.error, message: body.detail }) });
        }
        return this.closed(close || 1013);
      }
      const { stream, send } = await response.json();
      this.sendToken = send;
      const events = new EventSource(
        `${config.base}/sse?stream=${encodeURIComponent(stream)}&session=${encodeURIComponent(route)}`,
      );
      this.events = events;
      events.onopen = () => {
        this.readyState = 1;
      };
      events.onmessage = (event) => {
        this.readyState = 1;
        this.onmessage?.({ data: event.data });
      };
      events.addEventListener("close", (event) => this.closed(Number(event.data) || 1000));
      // EventSource would reconnect by itself, without resuming the session: the client does.
      events.onerror = () => this.closed(1006);
    } catch {
      this.closed(1006);
    }
  }

  closed(code) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.events?.close();
    this.onclose?.({ code });
  }

  send(text) {
    this.queue.push(text);
    this.pump();
  }

  /** One POST at a time, so frames reach the server in the order they were made. */
  async pump() {
    if (this.sending) return;
    this.sending = true;
    while (this.queue.length > 0 && this.readyState === 1) {
      const batch = this.queue.splice(0);
      try {
        const response = await fetch(`${config.base}/sse/send`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-numerous-stream": this.sendToken,
            "x-numerous-session": this.route,
          },
          body: `[${batch.join(",")}]`,
        });
        if (!response.ok) this.closed(1006);
      } catch {
        this.closed(1006);
      }
    }
    this.sending = false;
  }

  close() {
    this.closed(1000);
  }
}

/** Which transport a tab uses: `?numerous_transport=sse` forces the fallback; a tab whose
 * WebSocket never opens three times in a row switches to it for good. */
function initialTransport() {
  const asked = new URLSearchParams(location.search).get("numerous_transport");
  if (asked === "sse" || asked === "websocket") return asked;
  return sessionStorage.getItem(storageKey("transport")) ?? "websocket";
}

/** Close codes after which the client reconnects at once: going away (1001), session ended
 * (1012), too slow to follow (4008). See docs/protocol.md. */
const QUICK_RECONNECT = new Set([1001, 1012, 4008]);
/** The tab's sign-in expired or ended: refresh it, or go to the login page. */
const CLOSE_UNAUTHENTICATED = 4401;
/** The stored session belongs to another user: forget it and start afresh. */
const CLOSE_NOT_YOURS = 4403;

/** A frame's `buffers` field: anywidget's binary buffers as base64 strings (none: no field). */
function wireBuffers(buffers) {
  const list = (buffers ?? []).map(bytesOf).filter(Boolean);
  return list.length ? { buffers: list.map(toBase64) } : {};
}

/** The tab's connection to its session. */
class Client {
  constructor() {
    this.models = new Map();
    /** How widgets are shown besides their state (hidden, disabled, an error), by key. */
    this.views = new Map();
    this.session = sessionStorage.getItem(storageKey("session"));
    /** The server's run at the last welcome (`run`): another one means it restarted. */
    this.run = sessionStorage.getItem(storageKey("run")) || null;
    this.socket = null;
    this.outbox = [];
    this.flushScheduled = false;
    this.seq = 0;
    this.attempt = 0;
    this.welcomed = false;
    this.transport = initialTransport();
    this.unopened = 0;
  }

  connect() {
    log.info(`connecting (${this.transport === "sse" ? "server-sent events" : "WebSocket"}${this.session ? ", to its session" : ""})`);
    let socket;
    if (this.transport === "sse") {
      socket = new SseSocket(this.session);
    } else {
      const url = new URL(`${config.base}/ws`, location.href);
      url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
      // The session id travels as a subprotocol, which keeps it out of URLs and access logs.
      const protocols = ["numerous"];
      if (this.session) protocols.push(`numerous.session.${this.session}`);
      socket = new WebSocket(url, protocols);
      let opened = false;
      socket.onopen = () => {
        opened = true;
        this.unopened = 0;
      };
      socket.addEventListener("close", () => {
        // Under numerous-dev a refused socket is the app restarting, not a blocked transport.
        if (opened || config.dev) return;
        this.unopened += 1;
        if (this.unopened >= 3) {
          // Something between here and the server blocks WebSockets: fall back for good.
          this.transport = "sse";
          sessionStorage.setItem(storageKey("transport"), "sse");
        }
      });
    }
    this.socket = socket;
    socket.onmessage = (event) => this._receive(event.data);
    socket.onclose = (event) => {
      log.info(`connection closed: ${event.code}${event.reason ? ` (${event.reason})` : ""}`);
      if (this.socket !== socket) return;
      this.socket = null;
      this.welcomed = false;
      if (event.code === CLOSE_NOT_YOURS) {
        // Nothing made on another user's session goes to the new one.
        this.orphaned = true;
        this.session = null;
        sessionStorage.removeItem(storageKey("session"));
        sessionStorage.removeItem(storageKey("state"));
        setTimeout(() => this.connect(), 0);
        return;
      }
      if (event.code === CLOSE_UNAUTHENTICATED && window.numerousAuth) {
        // A fresh token, then the same session again; or the login page.
        window.numerousAuth.refresh().then((ok) => ok && this.connect());
        return;
      }
      // Closed on purpose by the server (shutting down, session ended, tab fell behind):
      // reconnect at once and quietly; anything else backs off and shows the banner.
      if (QUICK_RECONNECT.has(event.code) && this.attempt === 0) {
        this.attempt += 1;
        setTimeout(() => this.connect(), config.dev ? 0 : Math.random() * 250);
        return;
      }
      // Under `numerous-dev` the app restarts after each build: try again every 50 ms for
      // 10 s, quietly, before backing off as usual.
      if (config.dev && this.attempt < 200) {
        this.attempt += 1;
        setTimeout(() => this.connect(), 50);
        return;
      }
      ui.connection(false);
      const delay = Math.min(10000, 250 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
      this.attempt += 1;
      // A socket refused before it opened may be an expired sign-in (401): check it first.
      const signedIn = window.numerousAuth ? window.numerousAuth.refresh() : Promise.resolve(true);
      signedIn.then((ok) => ok && setTimeout(() => this.connect(), delay));
    };
  }

  update(key, state) {
    // The user changes the value: the error shown under it goes (the server drops it too).
    const view = this.views.get(key);
    if (view?.error != null) this._view(key, { ...view, error: null });
    // Events leave in the order the user made them: what other widgets hold back goes first.
    this._flushThrottled(key);
    const rate = config.rates?.[key] ?? 0;
    if (rate > 0) return this._throttled(key, state, rate);
    this._enqueue(key, state);
  }

  /** Sends now what throttled widgets (all but `except`) hold back. */
  _flushThrottled(except) {
    for (const [key, t] of this.throttle ?? []) {
      if (key === except || !t.timer) continue;
      clearTimeout(t.timer);
      t.send();
    }
  }

  _enqueue(key, state) {
    const last = this.outbox[this.outbox.length - 1];
    if (last && last.type === "update" && last.widget === key) {
      Object.assign(last.state, state); // coalesce fast input into one frame
    } else {
      this.outbox.push({ type: "update", widget: key, state: { ...state } });
    }
    this._schedule();
  }

  /** At most one update per `rate` ms for a widget; the last value always goes out. */
  _throttled(key, state, rate) {
    this.throttle ??= new Map();
    let t = this.throttle.get(key);
    if (!t) {
      t = { state: {}, timer: null, last: 0 };
      this.throttle.set(key, t);
    }
    Object.assign(t.state, state);
    if (t.timer) return;
    t.send = () => {
      t.timer = null;
      t.last = performance.now();
      const pending = t.state;
      t.state = {};
      this._enqueue(key, pending);
    };
    const wait = Math.max(0, t.last + rate - performance.now());
    t.timer = setTimeout(t.send, wait);
  }

  invoke(key, name, content, timeout, signal, buffers) {
    this.pending ??= new Map();
    this.invokeSeq = (this.invokeSeq ?? 0) + 1;
    const id = this.invokeSeq;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
      const done = (fn, value) => {
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        clearTimeout(p.timer);
        fn(value);
      };
      const timer = setTimeout(
        () => done(reject, new Error(`numerous: "${name}" of widget "${key}" did not answer in ${timeout} ms`)),
        timeout,
      );
      this.pending.set(id, { resolve, reject, timer, done });
      signal?.addEventListener("abort", () => done(reject, signal.reason ?? new Error("aborted")));
      this._flushThrottled(null);
      this.outbox.push({ type: "invoke", widget: key, id, name, content, ...wireBuffers(buffers) });
      this._schedule();
    });
  }

  message(key, content, buffers) {
    // A click after typing: the text goes first, so the handler sees all of it.
    this._flushThrottled(null);
    this.outbox.push({ type: "msg", widget: key, content, ...wireBuffers(buffers) });
    this._schedule();
  }

  _schedule() {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this._flush();
    });
  }

  /** Sends what is queued; while disconnected it stays queued and goes out on reconnect. */
  _flush() {
    if (!this.ready) return;
    for (const frame of this.outbox) {
      frame.seq = ++this.seq;
      const text = JSON.stringify(frame, encodeBinary);
      if (log.debugging) log.debug("sent", text);
      this.socket.send(text);
    }
    this.outbox = [];
  }

  _receive(data) {
    // The session id is its only credential: never in a log, not even this one.
    if (log.debugging) log.debug("received", data.replace(/^(\{"type":"welcome","session":")[^"]*/, "$1…"));
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      log.error("the server sent a frame that is not JSON");
      return;
    }
    if (data.includes('"$bytes"')) decodeBinary(msg);
    switch (msg.type) {
      case "welcome": {
        log.info(msg.resumed ? "welcomed back to its session" : "welcomed to a new session");
        // A new session where the tab had one: what it queued was made on what the old
        // session showed, and must not land on this one.
        const lost = (this.session || this.orphaned) && !msg.resumed ? this._forget() : null;
        this.orphaned = false;
        const restarted = lost != null && this.run != null && this.run !== msg.run;
        this.session = msg.session;
        this.run = msg.run;
        sessionStorage.setItem(storageKey("session"), msg.session);
        sessionStorage.setItem(storageKey("run"), msg.run ?? "");
        this._applyState(msg.state);
        this.attempt = 0;
        this.welcomed = true;
        ui.connection(true, lost == null ? null : { restarted, dropped: lost });
        // Every widget as the session shows it now: what the welcome does not name is as usual.
        const views = msg.view ?? {};
        for (const key of this.views.keys()) if (!Object.hasOwn(views, key)) this._view(key, {});
        for (const [key, view] of Object.entries(views)) this._view(key, view);
        this._flush();
        break;
      }
      case "view":
        this._view(msg.widget, msg);
        break;
      case "patch":
        this._applyState(msg.state);
        break;
      case "error":
        // The close that follows leads to a refresh or the login page; or, for a session that
        // is unavailable for a moment, to a reconnection (the banner says so).
        if (msg.code === "unauthenticated" || msg.code === "unavailable") break;
        ui.error(msg.message, msg.code);
        break;
      case "msg":
        this.models
          .get(msg.widget)
          ?._emit("msg:custom", msg.content, (msg.buffers ?? []).map((b) => new DataView(fromBase64(b).buffer)));
        break;
      case "toast":
        ui.toast(msg.message, msg.level);
        break;
      case "reply": {
        const pending = this.pending?.get(msg.id);
        if (!pending) break;
        if (msg.error != null) pending.done(pending.reject, new Error(msg.error));
        else pending.done(pending.resolve, [msg.content, []]);
        break;
      }
      default:
        log.warn(`unknown frame type "${msg.type}"`);
    }
  }

  /** Shows widget `key` as `view` says ({hidden, disabled, error}). */
  _view(key, view) {
    const shown = { hidden: Boolean(view.hidden), disabled: Boolean(view.disabled), error: view.error ?? null };
    this.views.set(key, shown);
    ui.view(key, shown);
  }

  /** Drops what was queued for a session that is gone; returns how many changes that was. */
  _forget() {
    let dropped = this.outbox.length;
    this.outbox = [];
    for (const t of this.throttle?.values() ?? []) {
      if (!t.timer) continue;
      clearTimeout(t.timer);
      t.timer = null;
      t.state = {};
      dropped += 1;
    }
    for (const pending of [...(this.pending?.values() ?? [])]) {
      pending.done(pending.reject, new Error("numerous: the session this call was made in ended"));
    }
    return dropped;
  }

  _applyState(state) {
    for (const [key, widgetState] of Object.entries(state)) {
      this.models.get(key)?._apply(widgetState);
    }
  }

  /** Welcomed on an open socket: frames may go out. */
  get ready() {
    return this.welcomed && this.socket?.readyState === 1;
  }
}

/** The splash screen, connection banner and error modal (static/fragments/). */
const ui = {
  splashDone() {
    document.getElementById("numerous-splash")?.classList.add("numerous-hidden");
  },
  /**
   * The connection came back (`up`), with `fresh` when it came back to a new session
   * ({restarted, dropped}), or went away. While it is away the page's widgets are offline: dimmed
   * and inert (not clickable, not focusable), so nothing is made on a state the server may not
   * have any more.
   */
  connection(up, fresh = null) {
    document.documentElement.classList.toggle("numerous-offline", !up);
    if (!up) {
      // The keyboard goes back where it was when the connection returns.
      const focused = document.activeElement;
      if (focused?.closest?.("[data-numerous-widget]")) this.refocus = focused;
    }
    for (const widget of document.querySelectorAll("[data-numerous-widget]")) {
      // Only what this made inert: an app's own `inert` stays.
      if (!up && !widget.inert) {
        widget.inert = true;
        widget.dataset.numerousOffline = "";
      } else if (up && "numerousOffline" in widget.dataset) {
        widget.inert = false;
        delete widget.dataset.numerousOffline;
      }
    }
    if (up && this.refocus) {
      if (this.refocus.isConnected && document.activeElement === document.body) this.refocus.focus();
      this.refocus = null;
    }
    const banner = document.getElementById("numerous-connection-banner");
    if (!banner) return;
    const text = banner.querySelector("[data-numerous-banner-text]");
    clearTimeout(this.bannerTimer);
    banner.dataset.state = up ? (fresh ? (fresh.restarted ? "restarted" : "ended") : "online") : "offline";
    if (up && fresh) {
      const why = fresh.restarted
        ? "The server restarted and could not keep your session: this is a new one."
        : "Your session had ended: this is a new one.";
      const lost = fresh.dropped === 1 ? "1 change made before it started was" : `${fresh.dropped} changes made before it started were`;
      text.textContent = fresh.dropped ? `${why} ${lost} not applied.` : why;
      banner.classList.remove("numerous-hidden");
      this.bannerTimer = setTimeout(() => {
        banner.classList.add("numerous-hidden");
        banner.dataset.state = "online";
      }, 10000);
    } else if (up) {
      banner.classList.add("numerous-hidden");
    } else {
      text.textContent = "Offline: the connection to the server was lost. Reconnecting…";
      banner.classList.remove("numerous-hidden");
    }
  },
  /**
   * How a widget is shown besides its state: hidden; disabled (greyed, inert: no click, no
   * keyboard); an error under it, which names the widget's control as invalid and describes it.
   */
  view(key, { hidden, disabled, error }) {
    const el = document.querySelector(`[data-numerous-widget="${CSS.escape(key)}"]`);
    if (!el) return;
    el.hidden = hidden;
    el.toggleAttribute("data-numerous-disabled", disabled);
    el.setAttribute("aria-disabled", String(disabled));
    // While offline every widget is inert already; the welcome brings the view back after.
    if (!("numerousOffline" in el.dataset)) el.inert = disabled;
    const id = `numerous-error-${key}`;
    let message = document.getElementById(id);
    const control = el.querySelector("input, select, textarea");
    // The message joins what describes the control already (a hint), and leaves it alone.
    const described = (control?.getAttribute("aria-describedby") ?? "").split(" ").filter((t) => t && t !== id);
    if (error == null) {
      message?.remove();
      control?.removeAttribute("aria-invalid");
      if (described.length) control?.setAttribute("aria-describedby", described.join(" "));
      else control?.removeAttribute("aria-describedby");
      el.removeAttribute("data-numerous-invalid");
      return;
    }
    if (!message) {
      message = document.createElement("p");
      message.id = id;
      message.className = "numerous-field-error";
      message.setAttribute("role", "alert");
    }
    message.textContent = error;
    el.append(message);
    el.setAttribute("data-numerous-invalid", "");
    control?.setAttribute("aria-invalid", "true");
    control?.setAttribute("aria-describedby", [...described, id].join(" "));
  },
  toast(message, level = "info") {
    let stack = document.getElementById("numerous-toasts");
    if (!stack) {
      stack = document.createElement("div");
      stack.id = "numerous-toasts";
      stack.className = "numerous-toasts";
      stack.setAttribute("role", "status");
      stack.setAttribute("aria-live", "polite");
      document.body.append(stack);
    }
    const toast = document.createElement("div");
    toast.className = `numerous-toast numerous-toast-${level}`;
    toast.textContent = message;
    stack.append(toast);
    setTimeout(() => toast.remove(), 4000);
  },
  error(message, code) {
    const modal = document.getElementById("numerous-error-modal");
    if (!modal) return log.error(message);
    modal.querySelector("[data-numerous-error-message]").textContent = message;
    modal.dataset.code = code ?? "";
    modal.classList.add("numerous-visible");
  },
};

function wireFragments() {
  for (const button of document.querySelectorAll("[data-numerous-dismiss]")) {
    button.addEventListener("click", () => {
      document.getElementById(button.dataset.numerousDismiss)?.classList.remove("numerous-visible");
    });
  }
  document.querySelector("[data-numerous-reload]")?.addEventListener("click", () => location.reload());
}

/** Shows only the elements marked `{{ tabs.panel("Name") }}` of the selected tab. */
function wireTabPanels(key, model) {
  const show = () => {
    for (const panel of document.querySelectorAll(`[data-numerous-tabs="${CSS.escape(key)}"]`)) {
      panel.hidden = panel.dataset.numerousTab !== model.get("value");
    }
  };
  model.on("change:value", show);
  show();
}

const modules = new Map();
function loadModule(kind) {
  if (!modules.has(kind)) {
    modules.set(
      kind,
      import(config.modules?.[kind] ?? `${config.assets}widgets/${kind}.js`).then(async (module) => {
        // anywidget: `export default { render }`, `{ initialize, render }`, or a function
        // returning one of them.
        let widget = module.default ?? module;
        if (typeof widget === "function") widget = await widget();
        return widget;
      }),
    );
  }
  return modules.get(kind);
}

/** For an isolated kind: the element to render into, inside a shadow root of `el` that holds
 * the widget's stylesheet, so its CSS and the page's cannot reach each other. */
function isolatedRoot(el, kind) {
  if (!config.isolated || !(kind in config.isolated)) return null;
  const root = el.shadowRoot ?? el.attachShadow({ mode: "open" });
  const css = config.isolated[kind];
  const box = document.createElement("div");
  box.className = `numerous-widget-root numerous-widget-${kind}`;
  const parts = [box];
  if (css) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = css;
    parts.unshift(link);
  }
  root.replaceChildren(...parts);
  return box;
}

/** anywidget's `experimental` argument of `initialize` and `render`. */
function experimentalOf(model) {
  return { invoke: (name, msg, options) => model._invoke(name, msg, options) };
}

/** Calls the cleanup function `render` returned for `el`, once. */
function runCleanup(el) {
  const cleanup = el.numerousCleanup;
  el.numerousCleanup = null;
  if (typeof cleanup !== "function") return;
  try {
    cleanup();
  } catch (error) {
    log.error(`the cleanup of widget "${el.dataset.numerousWidget}" failed`, error);
  }
}

const initialized = new Set();
async function renderWidget(client, el) {
  const key = el.dataset.numerousWidget;
  const kind = config.widgets[key];
  const model = client.models.get(key);
  if (!kind || !model) return;
  try {
    const widget = await loadModule(kind);
    if (widget.initialize && !initialized.has(key)) {
      initialized.add(key);
      await widget.initialize({ model, experimental: experimentalOf(model) });
    }
    // A widget drawn again first cleans up after its last render (anywidget's contract).
    runCleanup(el);
    const cleanup = await widget.render({
      model,
      el: isolatedRoot(el, kind) ?? el,
      experimental: experimentalOf(model),
    });
    if (typeof cleanup === "function") el.numerousCleanup = cleanup;
    // A render replaces the slot's content: the widget's view (its error) goes on again.
    const view = client.views.get(key);
    if (view) ui.view(key, view);
  } catch (error) {
    log.error(`widget "${key}" (${kind}) failed to render`, error);
    el.textContent = `⚠ widget "${key}" failed to render`;
  }
}

async function boot() {
  const client = new Client();
  let state = decodeBinary(config.state);
  // A reload in the same tab: paint what this tab last showed; the server's welcome follows.
  const cached = client.session && sessionStorage.getItem(storageKey("state"));
  if (cached) {
    try {
      state = { ...state, ...decodeBinary(JSON.parse(cached)) };
    } catch {
      /* a corrupt cache is ignored */
    }
  }
  for (const key of Object.keys(config.widgets)) {
    client.models.set(key, new Model(key, state[key] ?? {}, client));
  }
  wireFragments();
  // On a protected app, who is signed in is known before any widget renders.
  let signedIn = null;
  if (config.auth) {
    const { NumerousAuth } = await import(`${config.assets}auth.js`);
    window.numerousAuth = new NumerousAuth(config.base);
    window.getNumerousUserContext = () => window.numerousAuth.getUserContext();
    signedIn = window.numerousAuth.load();
  }
  client.connect();
  // Under `numerous-dev` (debug builds only) the page follows the build: its module is served
  // by the dev mode, and absent from a release binary.
  if (config.dev) import(`${config.base}/numerous-dev/client.js`).then((dev) => dev.follow(config));
  await signedIn;
  await Promise.all(
    [...document.querySelectorAll("[data-numerous-widget]")].map((el) => renderWidget(client, el)),
  );
  for (const [key, kind] of Object.entries(config.widgets)) {
    if (kind === "tabs") wireTabPanels(key, client.models.get(key));
  }
  ui.splashDone();
  addEventListener("pagehide", () => {
    const snapshot = {};
    for (const [key, model] of client.models) snapshot[key] = model._state;
    sessionStorage.setItem(storageKey("state"), JSON.stringify(snapshot, encodeBinary));
    // The widgets are going away: each module's cleanup runs.
    for (const el of document.querySelectorAll("[data-numerous-widget]")) runCleanup(el);
  });
  window.numerous = {
    client,
    models: client.models,
    /** Draws widget `key` again (its last render's cleanup runs first). */
    rerender: (key) => renderWidget(client, document.getElementById(key)),
    /** How much the client logs (`?numerous_log=`, see `log`). */
    logLevel: log.level,
  };
}

boot();
