// Seed 002's Frontend/src/App.jsx, written as plain JS (React 19 + Vite needs a bundler; the
// behaviour is the same). The lines the seed document shows are kept as it shows them:
//
//   const ws = new WebSocket('ws://localhost:3000');      -> the root path of the backend
//   ws.onopen / ws.onmessage (JSON.parse(event.data)) / ws.onclose / ws.onerror
//   ws.send(JSON.stringify({ type: 'PING' }));           -> a PING with no timestamp
//   "Auto-reconnect after 3 seconds", "Click Connect", "Send PING ... Check log for response
//   times", "Connection Stats - Track messages, connection time, and active events",
//   "REST /events" (GET http://localhost:3000/events, from the page's own origin :5173).
//
// The one change: host and PORT come from ../config.js (?gateway=host:port) instead of
// 'localhost' and 3000. Everything the document leaves out is marked "filled:".

const host = window.SEED_GATEWAY.host;
const PORT = window.SEED_GATEWAY.port;

let ws = null;
let shouldReconnect = false;
let reconnectTimer = null;
let events = [];
let messageCount = 0;
let connectedAt = null;

const $ = (id) => document.getElementById(id);

function addLog(kind, text) {
  const li = document.createElement('li');
  li.className = kind;
  li.textContent = new Date().toLocaleTimeString() + ' ' + text;
  $('log').prepend(li);
}

function setStatus(status) {
  $('status').dataset.status = status;
  $('status').textContent = status === 'connected' ? 'Connected' : status === 'connecting' ? 'Connecting…' : 'Disconnected';
  $('connect').disabled = status !== 'disconnected';
  $('disconnect').disabled = status === 'disconnected';
  $('ping').disabled = status !== 'connected';
}

// filled: the card layout. The event fields are the ones the gateway documents for the seed's
// events (docs/protocol.md 1.1): id, name, homeScore, awayScore, version, updatedAt.
function render() {
  const cards = $('cards');
  cards.textContent = '';
  for (const e of events) {
    const card = document.createElement('div');
    card.className = 'card';
    card.dataset.id = e.id;
    card.dataset.version = e.version;
    card.innerHTML = '<div class="id"></div><div class="name"></div><div class="score"></div>';
    card.querySelector('.id').textContent = e.id;
    card.querySelector('.name').textContent = e.name;
    card.querySelector('.score').textContent = e.homeScore + ' – ' + e.awayScore;
    cards.appendChild(card);
  }
  $('stat-messages').textContent = messageCount;
  $('stat-events').textContent = events.length;
}

function connect() {
  shouldReconnect = true;
  setStatus('connecting');
  // Connect
  ws = new WebSocket('ws://' + host + ':' + PORT);

  // Handle events
  ws.onopen = () => { /* connected */
    connectedAt = Date.now();
    setStatus('connected');
    addLog('status', 'Connected to ws://' + host + ':' + PORT);
  };
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    // handle message
    messageCount++;
    switch (message.type) {
      case 'INITIAL':
        events = message.data;
        addLog('received', 'INITIAL: ' + events.length + ' events');
        break;
      case 'UPDATE':
        events = events.map((e) => (e.id === message.data.id ? message.data : e));
        addLog('received', 'UPDATE ' + message.data.id + ' ' + message.data.homeScore + '-' + message.data.awayScore);
        break;
      case 'PONG': {
        // filled: the latency shown for a PONG, from the PONG's timestamp (the server's time).
        const latency = Date.now() - message.timestamp;
        $('latency').textContent = latency + ' ms';
        addLog('received', 'PONG received (latency: ' + latency + 'ms)');
        break;
      }
      default:
        addLog('received', 'Message: ' + event.data);
    }
    render();
  };
  ws.onclose = () => { /* disconnected */
    connectedAt = null;
    setStatus('disconnected');
    if (shouldReconnect) {
      addLog('status', 'Disconnected. Reconnecting in 3 seconds…');
      reconnectTimer = setTimeout(connect, 3000);
    } else {
      addLog('status', 'Disconnected');
    }
  };
  ws.onerror = (error) => { /* error */
    addLog('error', 'WebSocket error');
  };
}

function disconnect() {
  shouldReconnect = false;
  clearTimeout(reconnectTimer);
  if (ws) {
    ws.close();
  }
}

function sendPing() {
  // Send message
  ws.send(JSON.stringify({ type: 'PING' }));
  addLog('sent', 'PING');
}

// filled: the page lists the backend's REST events once, when it loads.
function loadEvents() {
  fetch('http://' + host + ':' + PORT + '/events')
    .then((response) => {
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      return response.json();
    })
    .then((list) => {
      const ul = $('rest-events');
      ul.textContent = '';
      for (const e of list) {
        const li = document.createElement('li');
        li.textContent = e.id + ': ' + e.name + ' ' + e.homeScore + '-' + e.awayScore;
        ul.appendChild(li);
      }
    })
    .catch((err) => {
      $('rest-error').textContent = 'GET /events failed: ' + err.message;
    });
}

setInterval(() => {
  $('stat-connected').textContent = connectedAt === null ? '0s' : Math.floor((Date.now() - connectedAt) / 1000) + 's';
}, 1000);

$('connect').addEventListener('click', connect);
$('disconnect').addEventListener('click', disconnect);
$('ping').addEventListener('click', sendPing);
loadEvents();
