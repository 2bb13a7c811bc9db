// Chat page: /ws/chat/{room}. Own messages (sender = a connectionId this page was given) are
// green (class "own"), others' red (class "other"). History comes from GET /rooms/{room}/messages
// on entry and again after every reconnect; messages are kept in seq order, each once. A message
// in another epoch means the room was freed (idle too long) and opened again with seq from 1:
// what is on screen belongs to the old room, so it is cleared and the new room shown.
import { Connection } from '/js/realtime.js';
import { bindStatus } from '/js/ui.js';

const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
const $ = id => document.getElementById(id);

let connection = null;
let room = null;
let ownIds = new Set();
const shown = new Set(); // seq of every message on screen
let epoch = null; // the numbering the seqs on screen count in
const retired = new Set(); // epochs replaced by a newer one: a late history reply may still hold them

function ownKey(r) {
  return `switchboard.chat.own.${r}`;
}

function loadOwnIds(r) {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(ownKey(r)) || '[]'));
  } catch (e) {
    return new Set();
  }
}

function saveOwnIds() {
  try {
    sessionStorage.setItem(ownKey(room), JSON.stringify([...ownIds].slice(-50)));
  } catch (e) {
    // storage full or disabled: own messages are still recognised until the page reloads
  }
}

function senderLabel(sender, own) {
  if (own) {
    return 'You';
  }
  return sender === 'api' ? 'API' : sender;
}

function render(message) {
  if (typeof message.epoch === 'string' && message.epoch !== epoch) {
    if (retired.has(message.epoch)) {
      return;
    }
    if (epoch !== null) {
      retired.add(epoch);
      shown.clear();
      $('messages').replaceChildren();
    }
    epoch = message.epoch;
  }
  if (typeof message.seq !== 'number' || shown.has(message.seq)) {
    return;
  }
  shown.add(message.seq);
  $('messages').querySelector('.empty')?.remove();
  const own = ownIds.has(message.sender);
  const item = document.createElement('li');
  item.className = `msg ${own ? 'own' : 'other'}`;
  item.dataset.seq = message.seq;
  item.dataset.sender = message.sender;
  const meta = document.createElement('span');
  meta.className = 'meta';
  const name = document.createElement('span');
  name.className = 'sender';
  name.textContent = senderLabel(message.sender, own);
  const time = document.createElement('time');
  time.dateTime = new Date(message.ts).toISOString();
  time.textContent = new Date(message.ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
  meta.append(name, time);
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = message.message; // user text: never parsed as HTML
  item.append(meta, text);
  // Keep seq order: history and live messages can arrive in either order.
  const list = $('messages');
  const box = list.parentElement;
  const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  let before = null;
  for (const other of list.children) {
    if (Number(other.dataset.seq) > message.seq) {
      before = other;
      break;
    }
  }
  list.insertBefore(item, before);
  if (atEnd || own) {
    box.scrollTop = box.scrollHeight;
  }
}

async function loadHistory(r) {
  try {
    const response = await fetch(`/rooms/${encodeURIComponent(r)}/messages`, { cache: 'no-store' });
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    const messages = await response.json();
    if (r !== room) {
      return; // left the room meanwhile
    }
    messages.forEach(render);
    if ($('messages').children.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'empty';
      empty.textContent = 'No messages yet. Say hello!';
      $('messages').append(empty);
    }
  } catch (e) {
    $('send-error').textContent = `Could not load the history: ${e.message}`;
  }
}

function join(r) {
  leave();
  room = r;
  ownIds = loadOwnIds(r);
  shown.clear();
  epoch = null;
  retired.clear();
  $('messages').replaceChildren();
  $('room-name').textContent = r;
  $('title').textContent = `Chat · ${r}`;
  document.title = `${r} · Chat · Switchboard`;
  $('chat').hidden = false;
  $('leave').disabled = false;
  $('send-error').textContent = '';
  history.replaceState(null, '', `?room=${encodeURIComponent(r)}`);

  // ?welcome=1: the gateway's greeting names this socket's sender; seed clients do not ask for it.
  connection = new Connection(`/ws/chat/${encodeURIComponent(r)}?welcome=1`);
  bindStatus(connection, $('status'), $('status-detail'));
  connection.onStatus(status => {
    if (status !== 'connected') {
      $('send').disabled = true; // enabled again by the next welcome
    }
  });
  connection.on('welcome', frame => {
    $('send').disabled = false;
    // With a token, messages carry its subject as sender; anonymous, the connection id.
    const me = frame.sender || frame.connectionId;
    ownIds.add(me);
    saveOwnIds();
    $('me').textContent = me;
    // The socket is in the room now: whatever was said before (or while away) is in the history.
    loadHistory(r);
  });
  connection.on('chat', render);
  connection.on('error', frame => {
    $('send-error').textContent = `${frame.code}: ${frame.message}`;
  });
  connection.connect();
  $('message').focus();
}

function leave() {
  if (connection) {
    connection.close();
    connection = null;
  }
  room = null;
  $('chat').hidden = true;
  $('leave').disabled = true;
  $('send').disabled = true;
}

$('join-form').addEventListener('submit', event => {
  event.preventDefault();
  const r = $('room').value.trim();
  if (!ROOM.test(r)) {
    $('join-error').textContent = 'A room name has 1 to 64 letters, digits, _ or -.';
    $('room').setAttribute('aria-invalid', 'true');
    $('room').focus();
    return;
  }
  $('join-error').textContent = '';
  $('room').removeAttribute('aria-invalid');
  join(r);
});

$('leave').addEventListener('click', () => {
  leave();
  history.replaceState(null, '', location.pathname);
  $('title').textContent = 'Chat';
  document.title = 'Chat · Switchboard';
  $('room').focus();
});

$('send-form').addEventListener('submit', event => {
  event.preventDefault();
  const input = $('message');
  const text = input.value;
  if (!text.trim()) {
    return;
  }
  if (connection && connection.send({ message: text })) {
    input.value = '';
    $('send-error').textContent = '';
  } else {
    $('send-error').textContent = 'Not connected: the message was not sent.';
  }
  input.focus();
});

const fromUrl = new URLSearchParams(location.search).get('room');
if (fromUrl && ROOM.test(fromUrl)) {
  $('room').value = fromUrl;
  join(fromUrl);
}
