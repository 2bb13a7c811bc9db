// Live scores page: /ws/scores. INITIAL fills five cards, UPDATE changes one; PING/PONG
// measures latency (the PONG echoes our timestamp). Reconnects on its own unless unchecked.
import { Connection } from '/js/realtime.js';
import { appendLog, bindStatus, clock, duration } from '/js/ui.js';

const $ = id => document.getElementById(id);
const events = new Map(); // id -> event
let connects = 0;

const connection = new Connection('/ws/scores');
bindStatus(connection, $('status'), $('status-detail'));

function log(text, cls) {
  appendLog($('log'), text, { cls, max: 150 });
}

function card(event) {
  let el = document.querySelector(`.card[data-id="${CSS.escape(event.id)}"]`);
  if (!el) {
    el = document.createElement('article');
    el.className = 'card';
    el.dataset.id = event.id;
    const name = document.createElement('h3');
    name.className = 'name';
    const id = document.createElement('p');
    id.className = 'event-id';
    const score = document.createElement('p');
    score.className = 'score';
    const meta = document.createElement('p');
    meta.className = 'meta';
    el.append(name, id, score, meta);
    $('cards').querySelector('.empty')?.remove();
    // Keep the cards in id order.
    const after = [...$('cards').children].find(other => other.dataset.id > event.id);
    $('cards').insertBefore(el, after || null);
  }
  return el;
}

function show(event, flash) {
  const known = events.get(event.id);
  if (known && known.version > event.version) {
    return; // never go back to an older version
  }
  events.set(event.id, event);
  const el = card(event);
  el.querySelector('.name').textContent = event.name;
  el.querySelector('.event-id').textContent = event.id;
  el.querySelector('.score').textContent = `${event.homeScore} – ${event.awayScore}`;
  el.querySelector('.meta').textContent = `version ${event.version} · ${clock(event.updatedAt)}`;
  el.dataset.version = event.version;
  el.setAttribute('aria-label', `${event.name}: ${event.homeScore} to ${event.awayScore}`);
  if (flash) {
    el.classList.add('flash');
    setTimeout(() => el.classList.remove('flash'), 800);
  }
  $('stat-events').textContent = events.size;
}

connection.onStatus((status, detail) => {
  $('ping').disabled = status !== 'connected';
  if (status === 'connected') {
    connects++;
    $('stat-reconnects').textContent = Math.max(0, connects - 1);
  }
  if (status === 'disconnected') {
    const how = detail.byClient ? 'closed' : `closed (code ${detail.code})`;
    log(`Disconnected: ${how}${detail.willReconnect ? `; reconnecting in ${(detail.delayMs / 1000).toFixed(1)} s` : ''}`, 'status-entry');
  } else if (status === 'connected') {
    log('Connected', 'status-entry');
  }
});

connection.onRaw(() => {
  $('stat-messages').textContent = connection.stats.messagesReceived;
});

connection.on('INITIAL', frame => {
  for (const event of frame.data) {
    show(event, false);
  }
  log(`INITIAL: ${frame.data.length} events`, 'received');
});

connection.on('UPDATE', frame => {
  const e = frame.data;
  show(e, true);
  log(`UPDATE ${e.id} ${e.name} ${e.homeScore}–${e.awayScore} (v${e.version})`, 'received');
});

connection.on('PONG', frame => {
  const latency = Date.now() - Number(frame.timestamp);
  $('latency').textContent = `${latency} ms`;
  log(`PONG after ${latency} ms (server time ${clock(frame.serverTime)})`, 'received');
});

connection.on('error', frame => log(`Error ${frame.code}: ${frame.message}`, 'received'));

$('connect').addEventListener('click', () => connection.connect());
$('disconnect').addEventListener('click', () => connection.close());
$('ping').addEventListener('click', () => {
  const timestamp = Date.now();
  if (connection.send({ type: 'PING', timestamp })) {
    log('PING', 'sent');
  }
});
$('auto-reconnect').addEventListener('change', event => {
  connection.options.reconnect = event.target.checked;
});

setInterval(() => {
  const since = connection.stats.connectedAt;
  $('stat-connected').textContent = since ? duration(Date.now() - since) : '–';
}, 1000);

connection.connect();
