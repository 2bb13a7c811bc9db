// Groups page: the multiplexed endpoint /ws through MultiplexConnection. Subscriptions
// survive reconnects (resubscribed with since = last seq seen); ?subscribe=a,b&since=N
// subscribes on load; ?gateways=url1,url2 lists the gateways to try in turn.
import { MultiplexConnection } from '/js/realtime.js';
import { appendLog, bindStatus, describe } from '/js/ui.js';

const $ = id => document.getElementById(id);
const GROUP = /^[A-Za-z0-9_.:-]{1,128}$/;
let delivered = 0;

// ?gateways=ws://a/ws,ws://b/ws: try these in turn (default: this gateway's /ws).
const gateways = (new URLSearchParams(location.search).get('gateways') || '/ws').split(',').map(g => g.trim()).filter(Boolean);
const connection = new MultiplexConnection(gateways);
bindStatus(connection, $('status'), $('status-detail'));

connection.onStatus((status, detail) => {
  $('ping').disabled = status !== 'connected';
  $('publish').disabled = status !== 'connected';
  if (status === 'connected' || status === 'disconnected') {
    const where = status === 'connected' && gateways.length > 1 ? ` to ${detail.url}` : '';
    appendLog($('log'), `${status}${where} (${detail.transport}). ${describe(status, detail)}`,
      { cls: 'status-entry', data: { status, transport: detail.transport } });
    $('transport').textContent = status === 'connected' ? detail.transport : '–';
  }
});

function text(data) {
  if (data !== null && typeof data === 'object' && typeof data.message === 'string' && data.type === 'chat') {
    return `${data.sender}: ${data.message}`;
  }
  return typeof data === 'string' ? data : JSON.stringify(data);
}

function onDelivery(data, message) {
  delivered++;
  $('delivered-count').textContent = delivered;
  $('dropped-count').textContent = connection.stats.duplicatesDropped;
  const seq = typeof message.seq === 'number' ? ` #${message.seq}` : '';
  const body = message.encoding === 'base64' ? `[binary, base64] ${data}` : text(data);
  const entry = { group: message.group };
  if (seq) {
    entry.seq = message.seq;
  }
  appendLog($('log'), `[${message.group}${seq}] ${body}`, { cls: 'delivery', data: entry });
  const sub = document.querySelector(`#subs li[data-group="${CSS.escape(message.group)}"] .last-seq`);
  if (sub && seq) {
    sub.textContent = `last seq ${message.seq}`;
  }
}

function listSubscription(group) {
  if (document.querySelector(`#subs li[data-group="${CSS.escape(group)}"]`)) {
    return;
  }
  const item = document.createElement('li');
  item.dataset.group = group;
  const name = document.createElement('code');
  name.textContent = group;
  const last = document.createElement('span');
  last.className = 'hint last-seq';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.textContent = 'Unsubscribe';
  button.setAttribute('aria-label', `Unsubscribe from ${group}`);
  button.addEventListener('click', () => {
    connection.unsubscribe(group).catch(() => {});
    item.remove();
    $('group').focus();
  });
  item.append(name, last, button);
  $('subs').append(item);
}

async function subscribe(group, since) {
  $('subscribe-error').textContent = '';
  listSubscription(group);
  try {
    await connection.subscribe(group, onDelivery, {
      since,
      onGap: gap => appendLog($('log'), `${gap.group}: messages after #${gap.since} could not all be recovered`, { cls: 'status-entry' }),
      onSubscribed: s => appendLog($('log'),
        `${s.count > 1 ? 'resubscribed' : 'subscribed'} to ${s.group}${s.since !== undefined ? ` since ${s.since} (recovered: ${s.recovered})` : ''}`,
        { cls: 'status-entry' }),
    });
  } catch (e) {
    document.querySelector(`#subs li[data-group="${CSS.escape(group)}"]`)?.remove();
    $('subscribe-error').textContent = `${group}: ${e.message}`;
  }
}

$('subscribe-form').addEventListener('submit', event => {
  event.preventDefault();
  const group = $('group').value.trim();
  if (!GROUP.test(group)) {
    $('subscribe-error').textContent = 'A group name has 1 to 128 letters, digits, _ . : or -.';
    $('group').focus();
    return;
  }
  const raw = $('since').value.trim();
  subscribe(group, raw === '' ? undefined : Number.parseInt(raw, 10));
});

$('publish-form').addEventListener('submit', async event => {
  event.preventDefault();
  const group = $('publish-group').value.trim();
  const raw = $('publish-data').value;
  let data = raw;
  try {
    data = JSON.parse(raw);
  } catch (e) {
    // not JSON: publish the text as a string
  }
  $('publish-error').textContent = '';
  try {
    const ack = await connection.publish(group, data);
    appendLog($('log'), `published to ${group}${ack.seq !== undefined ? ` (seq ${ack.seq})` : ''}`, { cls: 'status-entry' });
  } catch (e) {
    $('publish-error').textContent = e.message;
  }
});

async function ping() {
  try {
    const { rttMs } = await connection.ping();
    $('rtt').textContent = `${rttMs} ms`;
  } catch (e) {
    $('rtt').textContent = e.code;
  }
}

$('ping').addEventListener('click', ping);
connection.onStatus(status => {
  if (status === 'connected') {
    ping();
  }
});
// The heartbeat pings every 25 s; show its latest round trip too.
setInterval(() => {
  if (connection.rttMs !== null) {
    $('rtt').textContent = `${connection.rttMs} ms`;
  }
}, 1000);

const params = new URLSearchParams(location.search);
const since = params.has('since') ? Number.parseInt(params.get('since'), 10) : undefined;
for (const group of (params.get('subscribe') || '').split(',').map(g => g.trim()).filter(g => GROUP.test(g))) {
  subscribe(group, Number.isInteger(since) ? since : undefined);
}
connection.connect();
