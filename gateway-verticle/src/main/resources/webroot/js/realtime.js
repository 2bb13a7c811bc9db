/**
 * Switchboard realtime client. A plain ES module, no build step; every gateway serves it at
 * /js/realtime.js. Documentation: docs/client.md.
 *
 *   Connection           one WebSocket to any endpoint (/ws/scores, /ws/chat/{room}, /ws/random,
 *                        /ws/hub, ...): status events, typed message dispatch, send, reconnect
 *                        with exponential backoff and jitter.
 *   MultiplexConnection  one connection to /ws: subscribe/unsubscribe/publish/ping as requests
 *                        that return Promises, resubscription with `since` after a reconnect,
 *                        duplicate suppression by seq, heartbeat with round-trip time. Where a
 *                        WebSocket cannot pass, it falls back by itself to Server-Sent Events,
 *                        then HTTP streaming, with its frames going up by POST (the same API).
 */

/** The status values a connection goes through. */
export const STATUS = Object.freeze({
  CONNECTING: 'connecting',
  CONNECTED: 'connected',
  DISCONNECTED: 'disconnected',
  ERROR: 'error',
});

/** Defaults of every Connection (the seed-style endpoints). */
export const CONNECTION_DEFAULTS = Object.freeze({
  /** Reconnect after the socket closes (not after close(), nor after a code in noReconnectCodes). */
  reconnect: true,
  /** Delay before the first reconnect attempt. */
  initialDelayMs: 500,
  /** Each further attempt waits this many times longer ... */
  factor: 2,
  /** ... up to this delay. */
  maxDelayMs: 30000,
  /** Random part of each delay: the delay is taken at random in [d * (1 - jitter), d]. */
  jitter: 0.5,
  /**
   * Reconnect attempts in a row before giving up. Infinity: for as long as the page is open,
   * as the seed apps' clients did (the backoff is capped at maxDelayMs, with jitter).
   */
  maxAttempts: Infinity,
  /** A connection that stays open this long resets the attempt count. */
  stableAfterMs: 5000,
  /**
   * Close codes after which the connection does not reconnect (1008 = policy violation, 4500 =
   * the backend disconnected the user for good; codes 4501-4999 count as 4500).
   */
  noReconnectCodes: [1008, 4500],
  /** WebSocket sub-protocols, if any. */
  protocols: undefined,
  /**
   * The transports to try, in order: 'websocket', and for /ws only 'sse' (Server-Sent Events)
   * and 'http_stream' (chunked JSON lines), both with the client's frames sent by POST.
   */
  transports: ['websocket'],
  /**
   * With more than one transport: a connection that opens but gets no frame within this time
   * (a proxy that lets the upgrade through and then holds the frames) counts as failed, and the
   * next transport is tried. 0: no such check.
   */
  firstFrameTimeoutMs: 0,
  /**
   * An access token for gateways with token auth, sent as the `token` query parameter: a
   * string, or a function returning a string or a Promise of one, called before every attempt.
   * With a function, a close with 1008 after an `unauthorized` error (an expired token) is
   * followed by a reconnect with a fresh token.
   */
  token: undefined,
});

/** Defaults of a MultiplexConnection (/ws); the other options come from CONNECTION_DEFAULTS. */
export const MULTIPLEX_DEFAULTS = Object.freeze({
  maxAttempts: Infinity,
  /** WebSocket first; where it cannot pass, Server-Sent Events, then HTTP streaming. */
  transports: ['websocket', 'sse', 'http_stream'],
  /** The connection pings as it opens; no answer in this time means try the next transport. */
  firstFrameTimeoutMs: 5000,
  /** Interval of the heartbeat ping (0 = no heartbeat). */
  heartbeatMs: 25000,
  /** A ping unanswered this long closes the socket (code 4000) and reconnects. */
  heartbeatTimeoutMs: 10000,
  /** How long a request waits for its reply before its Promise rejects with code `timeout`. */
  requestTimeoutMs: 10000,
});

/** Reply types that settle a request with the same id (an `error` rejects it). */
const REPLY_TYPES = new Set(['ack', 'subscribed', 'unsubscribed', 'pong', 'presence', 'rpc_result']);

/** An `error` frame from the server, or a local failure (`not_connected`, `disconnected`, `timeout`). */
export class RealtimeError extends Error {
  constructor(code, message, frame) {
    super(`${code}: ${message}`);
    this.name = 'RealtimeError';
    this.code = code;
    this.frame = frame;
  }
}

/** Turns a path such as "/ws" (relative to the page) or an http(s) URL into a ws(s) URL. */
export function toWebSocketUrl(path, base = globalThis.location ? globalThis.location.href : undefined) {
  const url = new URL(path, base);
  if (url.protocol === 'http:') {
    url.protocol = 'ws:';
  } else if (url.protocol === 'https:') {
    url.protocol = 'wss:';
  }
  return url.href;
}

/** The readyState values of a WebSocket, which HttpStreamSocket keeps too. */
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;
/** Frames sent in one emulation POST at most (in characters), well below the server's body limit. */
const MAX_POST_CHARS = 32 * 1024;

/**
 * The /ws protocol where a WebSocket cannot pass, behind the WebSocket interface Connection
 * uses (readyState, send, close, onopen, onmessage, onerror, onclose): the server's frames come
 * down a Server-Sent Events stream (/sse) or a chunked JSON-lines response (/stream), and the
 * client's go up as POSTs to /emulation, in order, batched while one is under way. Any gateway
 * takes the POSTs (docs/protocol.md, "Without WebSocket"). Opens on the server's `connected`
 * frame; a `close` frame carries the code and reason a WebSocket close would.
 */
class HttpStreamSocket {
  /** openTimeoutMs: no `connected` frame by then (a proxy that buffers the stream) ends it. */
  constructor(wsUrl, transport, openTimeoutMs = 10000) {
    this.transport = transport;
    this.readyState = CONNECTING;
    this.binaryType = 'arraybuffer';
    this.onopen = this.onmessage = this.onerror = this.onclose = null;
    const url = new URL(wsUrl);
    url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
    // The stream routes sit beside /ws (behind a proxy that adds a prefix, beside its /ws too).
    const base = url.pathname.replace(/\/ws\/?$/, '');
    const stream = new URL(url.href);
    stream.pathname = `${base}${transport === 'sse' ? '/sse' : '/stream'}`;
    this._emulation = new URL(url.href);
    this._emulation.pathname = `${base}/emulation`;
    this._emulation.search = '';
    this._key = null;
    this._queue = [];
    this._posting = false;
    this._source = null;
    this._abort = null;
    this._openTimer = setTimeout(() => this._end(1006, `no connected frame within ${openTimeoutMs} ms`, false, true),
      openTimeoutMs);
    if (transport === 'sse') {
      this._openEventSource(stream.href);
    } else {
      this._openFetchStream(stream.href);
    }
  }

  _openEventSource(href) {
    const source = new EventSource(href);
    this._source = source;
    source.onmessage = event => this._frame(event.data);
    // EventSource would reconnect by itself; Connection reconnects instead, resubscribing every
    // group with its own positions.
    source.onerror = () => this._end(1006, 'the event stream failed or ended', false, true);
  }

  _openFetchStream(href) {
    const abort = new AbortController();
    this._abort = abort;
    fetch(href, { signal: abort.signal, cache: 'no-store', headers: { Accept: 'application/x-ndjson' } })
      .then(async response => {
        if (!response.ok || !response.body) {
          this._end(1006, `the stream was refused (HTTP ${response.status})`, false, true);
          return;
        }
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let pending = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) {
            break;
          }
          pending += decoder.decode(value, { stream: true });
          let newline;
          while ((newline = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, newline);
            pending = pending.slice(newline + 1);
            if (line.trim() !== '') {
              this._frame(line);
            }
          }
        }
        this._end(1006, 'the stream ended', false, true);
      })
      .catch(() => this._end(1006, 'the stream failed', false, true));
  }

  _frame(text) {
    if (this.readyState === CLOSED) {
      return;
    }
    let frame;
    try {
      frame = JSON.parse(text);
    } catch (e) {
      return;
    }
    if (this.readyState === CONNECTING && isObject(frame) && frame.type === 'connected') {
      this._key = frame.session;
      clearTimeout(this._openTimer);
      this.readyState = OPEN;
      if (this.onopen) {
        this.onopen({});
      }
      return;
    }
    if (isObject(frame) && frame.type === 'close') {
      this._end(frame.code, frame.reason, true, false);
      return;
    }
    if (this.onmessage) {
      this.onmessage({ data: text });
    }
  }

  /** Queues a frame's text for the next POST. */
  send(text) {
    if (this.readyState !== OPEN) {
      throw new Error('HttpStreamSocket is not open');
    }
    this._queue.push(String(text));
    this._post();
  }

  _post() {
    if (this._posting || this._queue.length === 0 || this.readyState !== OPEN) {
      return;
    }
    const frames = [];
    let size = 0;
    while (this._queue.length > 0 && (frames.length === 0 || size + this._queue[0].length <= MAX_POST_CHARS)) {
      size += this._queue[0].length;
      frames.push(this._queue.shift());
    }
    this._posting = true;
    fetch(this._emulation.href, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ session: this._key, frames }),
    }).then(response => {
      this._posting = false;
      if (response.status === 404) {
        this._end(1006, 'the server no longer holds this stream', false, true);
      } else if (!response.ok) {
        // The frames may or may not have arrived (a 504): the connection starts over, and the
        // application's requests fail as after any close.
        this._end(1006, `frames not sent (HTTP ${response.status})`, false, true);
      } else {
        this._post();
      }
    }, () => {
      this._posting = false;
      this._end(1006, 'frames not sent (network)', false, true);
    });
  }

  close(code = 1000, reason = '') {
    this._end(code, reason, true, false);
  }

  _end(code, reason, wasClean, error) {
    if (this.readyState === CLOSED) {
      return;
    }
    this.readyState = CLOSED;
    clearTimeout(this._openTimer);
    this._queue = [];
    if (this._source) {
      this._source.close();
    }
    if (this._abort) {
      this._abort.abort();
    }
    if (error && this.onerror) {
      this.onerror({ type: 'error' });
    }
    if (this.onclose) {
      this.onclose({ code, reason, wasClean });
    }
  }
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function safeCall(handler, ...args) {
  try {
    handler(...args);
  } catch (e) {
    // One broken handler must not stop the others, nor the connection.
    console.error('realtime.js: handler failed', e);
  }
}

/**
 * One WebSocket to one endpoint. Call connect() to open it. Status listeners get
 * (status, detail); message listeners get parsed JSON messages by their `type`.
 * `path` may also be an array of URLs (e.g. the same endpoint on several gateways): after each
 * close the next reconnect attempt goes to the next one.
 */
export class Connection {
  constructor(path, options = {}) {
    /** Every URL this connection may use, as ws(s) URLs. */
    this.urls = (Array.isArray(path) ? path : [path]).map(p => toWebSocketUrl(p));
    if (this.urls.length === 0) {
      throw new TypeError('Connection: no URL');
    }
    this._urlIndex = 0;
    this.options = { ...CONNECTION_DEFAULTS, ...options };
    if (!Array.isArray(this.options.transports) || this.options.transports.length === 0) {
      throw new TypeError('Connection: transports must list at least one of websocket, sse, http_stream');
    }
    this._transportIndex = 0;
    this._firstFrameTimer = null;
    /** Whether the current socket opened (a close before that means its transport failed). */
    this._socketOpened = false;
    /** One of STATUS. */
    this.status = STATUS.DISCONNECTED;
    this.stats = { messagesReceived: 0, messagesSent: 0, connects: 0, connectedAt: null, lastClose: null };
    this._listeners = new Map();
    this._statusListeners = new Set();
    this._rawListeners = new Set();
    this._ws = null;
    this._timer = null;
    this._stableTimer = null;
    this._attempt = 0;
    this._stopped = true;
    this._opening = false; // waiting for a token
    this._generation = 0;
    this._lastErrorCode = null;
    this._suspended = false;
    this._online = () => {
      // Back online while waiting to retry: retry now.
      if (!this._stopped && !this._ws && this._timer !== null) {
        clearTimeout(this._timer);
        this._open();
      }
    };
    // Leaving the page: close the socket, or the browser may keep it open for a page held in
    // its back/forward cache. Coming back to that page: connect again (resubscribing).
    this._pagehide = () => {
      if (!this._stopped) {
        this.close(1000, 'page hidden');
        this._suspended = true;
        this._listen(true);
      }
    };
    this._pageshow = () => {
      if (this._suspended) {
        this.connect();
      }
    };
  }

  /** The URL the current (or next) socket uses. */
  get url() {
    return this.urls[this._urlIndex];
  }

  /** The transport in use, or being tried: 'websocket', 'sse' or 'http_stream'. */
  get transport() {
    return this.options.transports[this._transportIndex];
  }

  /** True while the socket is open. */
  get connected() {
    return this._ws !== null && this._ws.readyState === OPEN;
  }

  /** True from connect() until close(), or until the connection gives up reconnecting. */
  get active() {
    return !this._stopped;
  }

  /** Opens the socket (and re-enables reconnecting). Returns this. */
  connect() {
    this._stopped = false;
    this._attempt = 0;
    this._suspended = false;
    this._listen(true);
    if (this._ws || this._opening) {
      return this;
    }
    clearTimeout(this._timer);
    this._timer = null;
    this._open();
    return this;
  }

  /** Closes the socket for good (until connect() is called again). */
  close(code = 1000, reason = 'client closed') {
    const idle = !this._ws && this._timer === null && !this._opening;
    this._stopped = true;
    this._suspended = false;
    this._opening = false;
    this._generation++;
    clearTimeout(this._timer);
    this._timer = null;
    this._listen(false);
    const ws = this._ws;
    if (ws) {
      this._detach(ws);
      this._ws = null;
      try {
        ws.close(code, reason);
      } catch (e) {
        ws.close();
      }
    }
    if (idle && this.status === STATUS.DISCONNECTED) {
      return; // already closed: nothing to announce
    }
    this._closed({ code, reason, wasClean: true, byClient: true });
  }

  /**
   * Sends an object as JSON; a string, ArrayBuffer, typed array or Blob is sent as it is.
   * Returns false (and sends nothing) when the socket is not open.
   */
  send(payload) {
    const ws = this._ws;
    if (!ws || ws.readyState !== OPEN) {
      return false;
    }
    const raw = typeof payload === 'string' || payload instanceof ArrayBuffer || ArrayBuffer.isView(payload)
      || (typeof Blob !== 'undefined' && payload instanceof Blob);
    ws.send(raw ? payload : JSON.stringify(payload));
    this.stats.messagesSent++;
    return true;
  }

  /**
   * Calls handler(message) for every JSON object received whose `type` equals type; type '*'
   * gets every JSON value received. Returns a function that removes the handler.
   */
  on(type, handler) {
    if (!this._listeners.has(type)) {
      this._listeners.set(type, new Set());
    }
    this._listeners.get(type).add(handler);
    return () => this.off(type, handler);
  }

  off(type, handler) {
    this._listeners.get(type)?.delete(handler);
  }

  /**
   * Calls handler(status, detail) on every status change: connecting {attempt}, connected,
   * error {event}, disconnected {code, reason, willReconnect, delayMs, attempt, gaveUp}.
   */
  onStatus(handler) {
    this._statusListeners.add(handler);
    return () => this._statusListeners.delete(handler);
  }

  /** Calls handler(data) for every frame as received: a string, or an ArrayBuffer. */
  onRaw(handler) {
    this._rawListeners.add(handler);
    return () => this._rawListeners.delete(handler);
  }

  /** The delay before reconnect attempt number `attempt` (0 = first), with jitter. */
  nextDelay(attempt) {
    const o = this.options;
    const base = Math.min(o.maxDelayMs, o.initialDelayMs * Math.pow(o.factor, attempt));
    return Math.round(base * (1 - o.jitter * Math.random()));
  }

  // ---- internals ------------------------------------------------------------------------

  _open() {
    this._timer = null;
    const generation = ++this._generation;
    this._setStatus(STATUS.CONNECTING, { attempt: this._attempt, url: this.url, transport: this.transport });
    let token = this.options.token;
    if (typeof token === 'function') {
      try {
        token = token();
      } catch (error) {
        token = Promise.reject(error);
      }
    }
    if (token && typeof token.then === 'function') {
      this._opening = true;
      token.then(value => {
        if (generation === this._generation && !this._stopped) {
          this._opening = false;
          this._openSocket(value);
        }
      }, error => {
        if (generation === this._generation && !this._stopped) {
          this._opening = false;
          this._setStatus(STATUS.ERROR, { error });
          this._closed({ code: 4001, reason: `no token: ${error && error.message}`, wasClean: false });
        }
      });
      return;
    }
    this._openSocket(token);
  }

  _openSocket(token) {
    let url = this.url;
    if (token !== undefined && token !== null && token !== '') {
      const withToken = new URL(url);
      withToken.searchParams.set('token', String(token));
      url = withToken.href;
    }
    this._lastErrorCode = null;
    this._socketOpened = false;
    let ws;
    try {
      ws = this.transport === 'websocket' ? new WebSocket(url, this.options.protocols)
        : new HttpStreamSocket(url, this.transport, this.options.firstFrameTimeoutMs || 10000);
    } catch (error) {
      // A malformed URL: retrying cannot help.
      this._stopped = true;
      this._setStatus(STATUS.ERROR, { error });
      this._setStatus(STATUS.DISCONNECTED, { error, willReconnect: false, gaveUp: true });
      return;
    }
    ws.binaryType = 'arraybuffer';
    this._ws = ws;
    ws.onopen = () => {
      this._socketOpened = true;
      this.stats.connects++;
      this.stats.connectedAt = Date.now();
      clearTimeout(this._stableTimer);
      this._stableTimer = setTimeout(() => {
        this._attempt = 0;
      }, this.options.stableAfterMs);
      if (this.options.firstFrameTimeoutMs > 0 && this.options.transports.length > 1) {
        clearTimeout(this._firstFrameTimer);
        this._firstFrameTimer = setTimeout(() => {
          this._firstFrameTimer = null;
          if (this._ws === ws) {
            // Open but mute: something between lets the handshake through and holds the rest.
            this._socketOpened = false;
            this._drop(4000, `no frame within ${this.options.firstFrameTimeoutMs} ms over ${this.transport}`);
          }
        }, this.options.firstFrameTimeoutMs);
      }
      this._setStatus(STATUS.CONNECTED, { attempt: this._attempt, url: this.url, transport: this.transport });
      this._opened();
    };
    ws.onmessage = event => {
      if (this._firstFrameTimer !== null) {
        clearTimeout(this._firstFrameTimer);
        this._firstFrameTimer = null;
      }
      this._receive(event.data);
    };
    ws.onerror = event => this._setStatus(STATUS.ERROR, { event });
    ws.onclose = event => {
      this._detach(ws);
      this._ws = null;
      this._closed({ code: event.code, reason: event.reason, wasClean: event.wasClean });
    };
  }

  _listen(on) {
    const method = on ? 'addEventListener' : 'removeEventListener';
    if (typeof globalThis[method] === 'function') {
      globalThis[method]('online', this._online);
      globalThis[method]('pagehide', this._pagehide);
      globalThis[method]('pageshow', this._pageshow);
    }
  }

  _detach(ws) {
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
  }

  /** Drops the current socket at once (no waiting for a closing handshake) and reconnects. */
  _drop(code, reason) {
    const ws = this._ws;
    if (!ws) {
      return;
    }
    this._detach(ws);
    this._ws = null;
    try {
      ws.close(code, reason);
    } catch (e) {
      ws.close();
    }
    this._closed({ code, reason, wasClean: false });
  }

  _closed(info) {
    clearTimeout(this._stableTimer);
    this._stableTimer = null;
    clearTimeout(this._firstFrameTimer);
    this._firstFrameTimer = null;
    const transport = this.transport;
    this.stats.connectedAt = null;
    this.stats.lastClose = info;
    this._closing(info);
    const o = this.options;
    // An expired token (an `unauthorized` error, then 1008) is worth a retry when a fresh one
    // can be fetched; any other refused connection is not.
    const refreshable = typeof o.token === 'function' && this._lastErrorCode === 'unauthorized';
    // A backend's disconnect with a code from 4500 to 4999 says "do not come back" (4500 is the
    // one the server sends when the backend chose none, hence in noReconnectCodes).
    const forGood = o.noReconnectCodes.includes(info.code) || (info.code > 4500 && info.code <= 4999);
    let willReconnect = !this._stopped && o.reconnect && (!forGood || refreshable);
    const gaveUp = willReconnect && this._attempt >= o.maxAttempts;
    if (gaveUp) {
      willReconnect = false;
    }
    let delayMs = null;
    if (willReconnect) {
      const transports = this.options.transports;
      if (!this._socketOpened && !info.byClient && transports.length > 1
        && this._transportIndex + 1 < transports.length) {
        // This transport did not get through: the next one, at once, on the same gateway.
        this._transportIndex++;
        delayMs = 0;
      } else {
        if (!this._socketOpened && transports.length > 1) {
          // None got through: from the first again (a WebSocket may pass by now), after the backoff.
          this._transportIndex = 0;
        }
        // A transport that worked is kept for the next attempt.
        this._urlIndex = (this._urlIndex + 1) % this.urls.length;
        delayMs = this.nextDelay(this._attempt);
        this._attempt++;
      }
      this._timer = setTimeout(() => this._open(), delayMs);
    } else {
      this._stopped = true;
      if (!this._suspended) {
        this._listen(false);
      }
    }
    this._setStatus(STATUS.DISCONNECTED, { ...info, transport, willReconnect, delayMs, attempt: this._attempt, gaveUp });
  }

  _setStatus(status, detail = {}) {
    this.status = status;
    for (const handler of [...this._statusListeners]) {
      safeCall(handler, status, detail);
    }
  }

  _receive(data) {
    this.stats.messagesReceived++;
    for (const handler of [...this._rawListeners]) {
      safeCall(handler, data);
    }
    if (typeof data !== 'string') {
      return;
    }
    let message;
    try {
      message = JSON.parse(data);
    } catch (e) {
      return; // not JSON: only raw listeners see it
    }
    this._dispatch(message);
  }

  _dispatch(message) {
    if (isObject(message) && typeof message.type === 'string') {
      if (message.type === 'error') {
        this._lastErrorCode = message.code;
      }
      this._emit(message.type, message);
    }
    this._emit('*', message);
  }

  _emit(type, message) {
    const handlers = this._listeners.get(type);
    if (handlers) {
      for (const handler of [...handlers]) {
        safeCall(handler, message);
      }
    }
  }

  /** Hook: the socket has just opened. */
  _opened() {
  }

  /** Hook: the socket has just closed (or been dropped). */
  _closing(info) {
  }
}

/** What subscribe() resolves to. */
class Subscription {
  constructor(connection, state, handler) {
    this._connection = connection;
    this._state = state;
    this._handler = handler;
    this.group = state.group;
  }

  /** The highest seq delivered so far (null if none, or after a gap). */
  get lastSeq() {
    return this._state.lastSeq;
  }

  /** The epoch lastSeq counts in (null until the server has named one). */
  get epoch() {
    return this._state.epoch;
  }

  /** The `recovered` flag of the last subscribe that carried `since`. */
  get recovered() {
    return this._state.recovered;
  }

  unsubscribe() {
    return this._connection.unsubscribe(this.group, this._handler);
  }
}

/**
 * One connection to the multiplexed endpoint /ws: a WebSocket, or where none can pass, Server-
 * Sent Events or HTTP streaming with the frames going up by POST (options.transports).
 */
export class MultiplexConnection extends Connection {
  constructor(path = '/ws', options = {}) {
    super(path, { ...MULTIPLEX_DEFAULTS, ...options });
    /** Round-trip time of the last ping, in ms. */
    this.rttMs = null;
    this.stats.duplicatesDropped = 0;
    this._nextId = 1;
    this._pending = new Map();
    this._groups = new Map();
    this._serverGroups = new Set();
    this._heartbeat = null;
  }

  /**
   * Groups the server put this connection in (the backend's server-side subscribe, the connect
   * hook's groups; not the personal group `user:<id>`, which has no frame). Their deliveries
   * come as 'message' events (and to the handlers of subscribe(), if the page subscribed too);
   * `on('subscribed', f)` and `on('unsubscribed', f)` see the frames, with `server: true`. They
   * hold for the current socket only: after a reconnect the backend (or its connect hook) puts
   * the new socket in again.
   */
  get serverGroups() {
    return [...this._serverGroups];
  }

  /** Group names this connection is subscribed to (or will subscribe to once connected). */
  get groups() {
    return [...this._groups.keys()];
  }

  /**
   * Sends a request with a fresh id. Resolves with the reply (ack, subscribed, unsubscribed,
   * pong); rejects with a RealtimeError on an `error` reply, on timeout, or when the socket is
   * not open or closes first.
   */
  request(frame, { timeoutMs = this.options.requestTimeoutMs, onReply } = {}) {
    return new Promise((resolve, reject) => {
      if (!this.connected) {
        reject(new RealtimeError('not_connected', `cannot send ${frame.type}: not connected`));
        return;
      }
      const id = this._nextId++;
      const timer = setTimeout(() => {
        if (this._pending.delete(id)) {
          reject(new RealtimeError('timeout', `no reply to ${frame.type} within ${timeoutMs} ms`));
        }
      }, timeoutMs);
      this._pending.set(id, { resolve, reject, timer, onReply });
      this.send({ ...frame, id });
    });
  }

  /**
   * Calls handler(data, message) for every delivery of the group. For a stream group (chat
   * groups, and groups whose rule has a history: docs/protocol.md, "Streams") it remembers the
   * last offset (seq) seen and its epoch, starting from the position the `subscribed` reply
   * names; after a reconnect it resubscribes with since = {offset, epoch}, so the server replays
   * what was published in between, and a delivery with a seq <= the last one of the same epoch
   * is dropped, so nothing shows twice. onGap({group, since, epoch}) says when that cannot be:
   * the history no longer has it, the stream started again in a new epoch (reload the state),
   * or a delivery skips offsets. Plain groups have no seq: what they publish while the socket is
   * down is lost. Options: since (replay stored messages with a higher seq first), onGap,
   * onSubscribed({group, since, recovered, count}) (called on every `subscribed` reply: the
   * first, and each one after a reconnect). Resolves with a Subscription once the server has
   * answered `subscribed` the first time.
   */
  subscribe(group, handler, { since, onGap, onSubscribed } = {}) {
    if (typeof handler !== 'function') {
      throw new TypeError('subscribe(group, handler): handler must be a function');
    }
    let state = this._groups.get(group);
    if (!state) {
      let resolve;
      let reject;
      const ready = new Promise((res, rej) => {
        resolve = res;
        reject = rej;
      });
      ready.catch(() => {}); // reported through the Promise subscribe() returns
      state = {
        group,
        handlers: new Set(),
        lastSeq: Number.isInteger(since) ? since : null,
        epoch: null,
        recovered: undefined,
        subscriptions: 0,
        onGap,
        onSubscribed,
        ready,
        resolve,
        reject,
      };
      this._groups.set(group, state);
      if (this.connected) {
        this._subscribe(state);
      }
    }
    state.handlers.add(handler);
    return state.ready.then(() => new Subscription(this, state, handler));
  }

  /** Removes the handler (all handlers when none is given); the last one leaves the group. */
  unsubscribe(group, handler) {
    const state = this._groups.get(group);
    if (!state) {
      return Promise.resolve(null);
    }
    if (handler) {
      state.handlers.delete(handler);
    } else {
      state.handlers.clear();
    }
    if (state.handlers.size > 0) {
      return Promise.resolve(null);
    }
    this._groups.delete(group);
    return this.connected ? this.request({ type: 'unsubscribe', group }) : Promise.resolve(null);
  }

  /** Publishes data to a group. Resolves with the ack ({seq} for chat groups). */
  publish(group, data) {
    return this.request({ type: 'publish', group, data });
  }

  /**
   * Asks who is in a group that keeps presence, one page at a time. Resolves with the
   * `presence` reply: `members` (at most the gateway's page size), `total`, and `next` when
   * there are more: pass it as `after` for the next page.
   */
  presence(group, { after } = {}) {
    return this.request(after === undefined ? { type: 'presence', group } : { type: 'presence', group, after });
  }

  /**
   * Calls the application's backend through the gateway (docs/backend.md, "RPC"). Resolves with
   * the backend's `data`; rejects with a RealtimeError (`backend_error` with the backend's
   * `reason` in `error.frame.reason`, `timeout`, `service_unavailable`, `limit_reached`).
   */
  rpc(method, data) {
    return this.request(data === undefined ? { type: 'rpc', method } : { type: 'rpc', method, data })
      .then(reply => reply.data);
  }

  /** Pings the server. Resolves with {rttMs, serverTime} and updates this.rttMs. */
  ping() {
    const started = performance.now();
    return this.request({ type: 'ping' }, { timeoutMs: this.options.heartbeatTimeoutMs }).then(reply => {
      this.rttMs = Math.round((performance.now() - started) * 10) / 10;
      return { rttMs: this.rttMs, serverTime: reply.serverTime };
    });
  }

  _subscribe(state) {
    const frame = { type: 'subscribe', group: state.group };
    if (state.lastSeq !== null) {
      frame.since = state.epoch ? { offset: state.lastSeq, epoch: state.epoch } : state.lastSeq;
    }
    // What the callbacks report as since: the seq alone, whatever form went on the wire.
    const since = frame.since !== null && typeof frame.since === 'object' ? frame.since.offset : frame.since;
    this.request(frame, {
      // Runs before any replayed delivery is dispatched.
      onReply: reply => {
        state.subscriptions++;
        if ('since' in frame) {
          state.recovered = reply.recovered;
          if (reply.recovered === false) {
            // The server cannot fill the gap (history gone, a new epoch, or a group without
            // history): stop filtering by the old seq, which may have restarted.
            state.lastSeq = null;
            state.epoch = null;
            if (state.onGap) {
              safeCall(state.onGap, { group: state.group, since, epoch: reply.epoch });
            }
          }
        }
        if (typeof reply.epoch === 'string') {
          state.epoch = reply.epoch;
        }
        if (!('since' in frame) && typeof reply.offset === 'number') {
          // A stream group names where this socket starts: a later reconnect resumes from here
          // even if nothing arrives before it.
          state.lastSeq = reply.offset;
        }
        if (state.onSubscribed) {
          safeCall(state.onSubscribed, {
            group: state.group, since, recovered: reply.recovered, epoch: reply.epoch, count: state.subscriptions,
          });
        }
      },
    }).then(reply => state.resolve(reply), error => {
      if (error.code === 'disconnected' || error.code === 'not_connected') {
        return; // subscribed again on the next connection
      }
      if (this._groups.get(state.group) === state) {
        this._groups.delete(state.group);
      }
      state.reject(error);
    });
  }

  _opened() {
    for (const state of this._groups.values()) {
      this._subscribe(state);
    }
    if (this.options.firstFrameTimeoutMs > 0 && this.options.transports.length > 1) {
      // A first frame must come back for the transport to count as working: ask for one.
      this.ping().catch(() => {});
    }
    const every = this.options.heartbeatMs;
    if (every > 0) {
      this._heartbeat = setInterval(() => {
        const ws = this._ws;
        this.ping().catch(error => {
          if (error.code === 'timeout' && ws && this._ws === ws) {
            this._drop(4000, 'heartbeat timeout');
          }
        });
      }, every);
    }
  }

  _closing(info) {
    this._serverGroups.clear();
    clearInterval(this._heartbeat);
    this._heartbeat = null;
    const pending = [...this._pending.values()];
    this._pending.clear();
    for (const request of pending) {
      clearTimeout(request.timer);
      request.reject(new RealtimeError('disconnected', `socket closed (${info.code})`));
    }
  }

  _dispatch(message) {
    if (isObject(message) && message.server === true && typeof message.group === 'string') {
      if (message.type === 'subscribed') {
        this._serverGroups.add(message.group);
      } else if (message.type === 'unsubscribed') {
        this._serverGroups.delete(message.group);
      }
    }
    if (isObject(message)) {
      const request = message.id !== undefined ? this._pending.get(message.id) : undefined;
      if (request && (REPLY_TYPES.has(message.type) || message.type === 'error')) {
        this._pending.delete(message.id);
        clearTimeout(request.timer);
        if (message.type === 'error') {
          request.reject(new RealtimeError(message.code, message.message, message));
        } else {
          if (request.onReply) {
            safeCall(request.onReply, message);
          }
          request.resolve(message);
        }
      }
      if (message.type === 'message' && typeof message.group === 'string' && !this._deliver(message)) {
        return;
      }
    }
    super._dispatch(message);
  }

  /** Hands a delivery to the group's handlers; false if it is a duplicate and was dropped. */
  _deliver(message) {
    const state = this._groups.get(message.group);
    if (!state) {
      return true;
    }
    if (typeof message.seq === 'number') {
      if (typeof message.epoch === 'string' && state.epoch !== null && message.epoch !== state.epoch) {
        // The group's numbering started again (its history was freed or lost): the old seq
        // says nothing about the new one.
        state.lastSeq = null;
        if (state.onGap) {
          safeCall(state.onGap, { group: state.group, since: null, epoch: message.epoch });
        }
      }
      if (state.lastSeq !== null && message.seq <= state.lastSeq) {
        this.stats.duplicatesDropped++;
        return false;
      }
      if (state.lastSeq !== null && message.seq > state.lastSeq + 1 && state.onGap) {
        // The server delivers a stream's offsets without holes while its history has them: a
        // jump means the ones in between are gone.
        safeCall(state.onGap, { group: state.group, since: state.lastSeq, epoch: message.epoch ?? state.epoch });
      }
      state.lastSeq = message.seq;
      if (typeof message.epoch === 'string') {
        state.epoch = message.epoch;
      }
    }
    for (const handler of [...state.handlers]) {
      safeCall(handler, message.data, message);
    }
    return true;
  }
}

/** Opens a Connection to any endpoint, e.g. connect('/ws/scores'). */
export function connect(path, options) {
  return new Connection(path, options).connect();
}

/** Opens a MultiplexConnection to /ws (or options.path). */
export function connectMultiplex(options = {}) {
  const { path = '/ws', ...rest } = options;
  return new MultiplexConnection(path, rest).connect();
}
