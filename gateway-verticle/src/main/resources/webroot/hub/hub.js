// Hub page: /ws/hub. Every frame we send goes to all other hub clients; every frame that
// arrives came from someone else. Like the Express client of the seed app, it writes what it
// receives to the screen (as text).
import { Connection } from '/js/realtime.js';
import { appendLog, bindStatus } from '/js/ui.js';

const $ = id => document.getElementById(id);
let received = 0;
let sent = 0;

const connection = new Connection('/ws/hub');
bindStatus(connection, $('status'), $('status-detail'));
connection.onStatus(status => {
  $('send').disabled = status !== 'connected';
});

function describe(data) {
  if (typeof data !== 'string') {
    const bytes = new Uint8Array(data);
    const hex = [...bytes.slice(0, 32)].map(b => b.toString(16).padStart(2, '0')).join(' ');
    return `[binary, ${bytes.length} bytes] ${hex}${bytes.length > 32 ? ' …' : ''}`;
  }
  try {
    const value = JSON.parse(data);
    if (value !== null && typeof value === 'object') {
      return JSON.stringify(value, null, 2);
    }
  } catch (e) {
    // plain text
  }
  return data;
}

connection.onRaw(data => {
  received++;
  $('received-count').textContent = received;
  appendLog($('log'), describe(data), { cls: 'received' });
});

function send() {
  const text = $('outgoing').value;
  const format = document.querySelector('input[name="format"]:checked').value;
  $('send-error').textContent = '';
  if (!text) {
    $('send-error').textContent = 'Type something to send.';
    return;
  }
  let frame = text;
  if (format === 'json') {
    try {
      frame = JSON.stringify(JSON.parse(text));
    } catch (e) {
      $('send-error').textContent = `Not valid JSON: ${e.message}`;
      $('outgoing').setAttribute('aria-invalid', 'true');
      return;
    }
  }
  $('outgoing').removeAttribute('aria-invalid');
  if (!connection.send(frame)) {
    $('send-error').textContent = 'Not connected: nothing was sent.';
    return;
  }
  sent++;
  $('sent-count').textContent = sent;
  appendLog($('log'), describe(frame), { cls: 'sent' });
  $('outgoing').value = '';
  $('outgoing').focus();
}

$('send-form').addEventListener('submit', event => {
  event.preventDefault();
  send();
});
$('outgoing').addEventListener('keydown', event => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    send();
  }
});

connection.connect();
