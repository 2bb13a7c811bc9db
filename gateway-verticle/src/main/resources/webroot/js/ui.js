/**
 * Small helpers shared by the demo pages (not part of the client library). Everything that
 * came from the network or from a user is written with textContent, never as HTML.
 */

/** Shows a connection's status in el (text and data-status) and details in detailEl. */
export function bindStatus(connection, el, detailEl) {
  const show = (status, detail = {}) => {
    el.textContent = status;
    el.dataset.status = status;
    if (detailEl) {
      detailEl.textContent = describe(status, detail);
    }
  };
  show(connection.status);
  return connection.onStatus(show);
}

/** How the pages name a connection's transport when it is not a WebSocket. */
const TRANSPORTS = { sse: 'Server-Sent Events', http_stream: 'HTTP streaming' };

/** A human sentence for a status change. */
export function describe(status, detail = {}) {
  switch (status) {
    case 'connecting':
      return detail.attempt ? `Reconnect attempt ${detail.attempt}…` : 'Opening the connection…';
    case 'connected':
      return detail.transport && detail.transport !== 'websocket' ? `Live, over ${TRANSPORTS[detail.transport] || detail.transport}.` : 'Live.';
    case 'error':
      return 'The connection reported an error.';
    case 'disconnected': {
      if (detail.byClient) {
        return 'Closed.';
      }
      const why = detail.code ? `Closed by the server or the network (code ${detail.code}${detail.reason ? ': ' + detail.reason : ''}).` : 'Not connected.';
      if (detail.willReconnect) {
        return `${why} Reconnecting in ${(detail.delayMs / 1000).toFixed(1)} s.`;
      }
      if (detail.code === 1008) {
        return `${why} Refused by policy; not reconnecting.`;
      }
      if (detail.gaveUp) {
        return `${why} Gave up after ${detail.attempt} attempts.`;
      }
      return why;
    }
    default:
      return '';
  }
}

/** The time of day of an epoch-ms timestamp, e.g. 14:03:07. */
export function clock(ts = Date.now()) {
  return new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** A duration as m:ss or h:mm:ss. */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * Appends an entry (time + text) to a log list, keeps at most max entries, and keeps the
 * list scrolled to the end if it was there. Returns the new item.
 */
export function appendLog(list, text, { cls, max = 200, data } = {}) {
  const scroller = list.parentElement;
  const atEnd = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  const item = document.createElement('li');
  if (cls) {
    item.className = cls;
  }
  if (data) {
    for (const [key, value] of Object.entries(data)) {
      item.dataset[key] = value;
    }
  }
  const time = document.createElement('time');
  time.textContent = clock();
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = text;
  item.append(time, ' ', body);
  list.append(item);
  while (list.children.length > max) {
    list.firstElementChild.remove();
  }
  if (atEnd) {
    scroller.scrollTop = scroller.scrollHeight;
  }
  return item;
}
