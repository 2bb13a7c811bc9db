// Index page: this gateway's connection count and cluster size, from /api/stats.
const $ = id => document.getElementById(id);

function set(id, value) {
  const el = $(id);
  const text = String(value);
  if (el.textContent !== text) {
    el.textContent = text; // only changes are announced (aria-live)
  }
}

async function refresh() {
  try {
    const response = await fetch('/api/stats', { cache: 'no-store' });
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    const stats = await response.json();
    set('connections', stats.connections);
    set('mode', stats.clustered ? 'clustered' : 'embedded');
    // `members` counts the Vert.x cluster's members (1 when embedded); older gateways lack it.
    set('members', Number.isInteger(stats.members) ? stats.members : (stats.clustered ? 'clustered' : 'embedded'));
    set('messages-out', stats.messagesOut ?? '–');
    $('stats-note').dataset.state = 'ok';
  } catch (e) {
    set('connections', '?');
    $('stats-note').dataset.state = 'error';
  }
}

refresh();
setInterval(refresh, 2000);
