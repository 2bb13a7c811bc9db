// The admin page: the whole cluster from the server API, read again every POLL_MS while the page
// is open. Every call carries the admin header: with the login cookie it is what the gateway
// accepts (a page of another site cannot send it). Everything shown is set as text, never as
// HTML: user ids and group names come from clients.

const POLL_MS = 2000;
const HEADER = { 'X-Switchboard-Admin': '1' };

const $ = (id) => document.getElementById(id);
const state = {
  previous: new Map(),   // gateway id -> its last node report (for rates)
  prefix: '',
  presenceGroup: null,
  search: null,          // { by, value } of the last search
  timer: null,
};

class ApiProblem extends Error {
  constructor(status, body) {
    super((body && body.message) || ('HTTP ' + status));
    this.status = status;
  }
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    credentials: 'same-origin',
    ...options,
    headers: { ...HEADER, ...(options.body ? { 'Content-Type': 'application/json' } : {}), ...(options.headers || {}) },
  });
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    throw new ApiProblem(response.status, body);
  }
  return body;
}

function cell(row, text, cls) {
  const td = document.createElement('td');
  td.textContent = text == null ? '' : String(text);
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

function replaceRows(table, rows) {
  const body = table.tBodies[0];
  body.replaceChildren(...rows);
}

function duration(ms) {
  if (ms == null) return '';
  const s = Math.floor(ms / 1000);
  if (s < 60) return s + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' min ' + (s % 60) + ' s';
  const h = Math.floor(m / 60);
  if (h < 48) return h + ' h ' + (m % 60) + ' min';
  return Math.floor(h / 24) + ' d ' + (h % 24) + ' h';
}

function short(node) {
  return node && node.length > 8 ? node.slice(0, 8) : node;
}

function setStatus(kind, text, detail) {
  const el = $('status');
  el.dataset.status = kind;
  el.textContent = text;
  $('status-detail').textContent = detail || '';
}

function describeComponent(part) {
  if (part.component === 'gateway') return 'gateway ' + part.id;
  return part.component + ' ' + (part.state || '') + (part.backups === 'syncing' ? ' (backups syncing)' : '');
}

function renderCluster(cluster) {
  const rows = [];
  for (const member of cluster.members) {
    const tr = document.createElement('tr');
    tr.dataset.node = member.node;
    const roles = member.components.map(describeComponent);
    for (const part of member.components) {
      tr.dataset[part.component] = part.state || 'up';
    }
    const nodeCell = cell(tr, short(member.node), 'mono');
    nodeCell.title = member.node;
    if (member.self) nodeCell.textContent += ' (this gateway)';
    cell(tr, member.host);
    cell(tr, member.address || '', 'mono');
    cell(tr, member.seen === false ? 'not seen from here' : (member.dataMember ? 'data' : 'lite'));
    const runs = cell(tr, roles.join(', ') || '(no entry yet)', 'runs');
    runs.dataset.roles = member.components.map((p) => p.component + (p.state ? ':' + p.state : '')).join(' ');
    cell(tr, member.version);
    cell(tr, duration(member.uptimeMs));
    cell(tr, member.clusterSize == null ? '' : member.clusterSize + ' members');
    if (member.seen === false) tr.className = 'unseen';
    rows.push(tr);
  }
  replaceRows($('members'), rows);
  const data = cluster.members.filter((m) => m.seen !== false && m.dataMember).length;
  $('members-summary').textContent = cluster.clustered
    ? cluster.size + ' members seen by this gateway, ' + data + ' holding data (quorum ' + cluster.quorum + ').'
    : 'Embedded: the gateway, the chat service and the simulator run in this one process.';

  const warnings = [];
  for (const [role, holders] of Object.entries(cluster.roles || {})) {
    if (holders.active.length > 1) warnings.push('Two or more active ' + role + ' instances: ' + holders.active.map(short).join(', '));
    if (holders.active.length === 0) warnings.push('No active ' + role + ' instance (' + holders.standby.length + ' standing by)');
  }
  if (!cluster.sizesAgree) warnings.push('Members disagree on the cluster size (a split, or a member joining or leaving)');
  if (cluster.notSeen.length) warnings.push(cluster.notSeen.length + ' member(s) listed in the directory are not seen by this gateway');
  const items = warnings.map((text) => {
    const li = document.createElement('li');
    li.textContent = text;
    return li;
  });
  $('warnings').replaceChildren(...items);
}

function rate(now, before, field) {
  if (!before) return '…';
  const seconds = (now.sampledAt - before.sampledAt) / 1000;
  if (seconds <= 0) return '…';
  return ((now.traffic[field] - before.traffic[field]) / seconds).toFixed(1);
}

function renderNodes(nodes) {
  const rows = [];
  const seen = new Map();
  for (const node of nodes.nodes) {
    const before = state.previous.get(node.id);
    const tr = document.createElement('tr');
    tr.dataset.gateway = node.id;
    cell(tr, node.id, 'mono');
    cell(tr, node.connections, 'num').dataset.field = 'connections';
    cell(tr, node.users, 'num');
    cell(tr, rate(node, before, 'messagesIn'), 'num');
    cell(tr, rate(node, before, 'messagesOut'), 'num');
    cell(tr, node.traffic ? node.traffic.messagesDropped : '', 'num');
    const delay = node.eventLoopDelayMs;
    cell(tr, delay ? delay.last.toFixed(1) + ' / ' + delay.maxLastMinute.toFixed(1) + ' ms' : '', 'num');
    cell(tr, node.groups, 'num');
    rows.push(tr);
    seen.set(node.id, node);
  }
  for (const id of nodes.unreachable) {
    const tr = document.createElement('tr');
    tr.dataset.gateway = id;
    tr.className = 'unseen';
    cell(tr, id, 'mono');
    const note = cell(tr, 'did not answer');
    note.colSpan = 7;
    rows.push(tr);
  }
  state.previous = seen;
  replaceRows($('gateways'), rows);
  $('gateways-note').textContent = nodes.connections + ' connections in all. Rates are over the last '
    + (POLL_MS / 1000) + ' s.';
}

function renderGroups(groups) {
  const rows = [];
  for (const group of groups.groups) {
    const tr = document.createElement('tr');
    tr.dataset.group = group.group;
    cell(tr, group.group, 'mono');
    cell(tr, group.subscribers, 'num').dataset.field = 'subscribers';
    const parts = Object.entries(group.byGateway || {}).map(([id, n]) => id + ': ' + n);
    const by = cell(tr, parts.join(', '), 'mono');
    by.dataset.field = 'byGateway';
    const td = document.createElement('td');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary presence-button';
    button.textContent = 'Presence';
    button.addEventListener('click', () => {
      state.presenceGroup = group.group;
      refreshPresence();
    });
    td.appendChild(button);
    tr.appendChild(td);
    rows.push(tr);
  }
  replaceRows($('groups'), rows);
  $('groups-note').textContent = groups.groups.length + ' groups with subscribers'
    + (groups.truncated ? ' (more not shown: narrow the prefix)' : '')
    + (groups.unreachable.length ? '; gateways that did not answer: ' + groups.unreachable.join(', ') : '') + '.';
}

async function refreshPresence() {
  const group = state.presenceGroup;
  if (!group) return;
  $('presence').hidden = false;
  $('presence-heading').textContent = 'Presence of ' + group;
  try {
    const page = await api('/api/groups/' + encodeURIComponent(group) + '/presence');
    $('presence-summary').textContent = page.total + ' member(s)' + (page.next ? ' (first page)' : '');
    $('presence-members').replaceChildren(...page.members.map((m) => {
      const li = document.createElement('li');
      li.textContent = m.id + (m.member ? ' · ' + m.member : '');
      return li;
    }));
  } catch (e) {
    $('presence-summary').textContent = e.message;
    $('presence-members').replaceChildren();
  }
}

function renderConnections(result) {
  // Rows are kept by connection id and updated in place: the list is read again every poll, and
  // a Disconnect button rebuilt under the pointer would swallow the operator's click.
  const body = $('connections').tBodies[0];
  const existing = new Map([...body.rows].map((tr) => [tr.dataset.connection, tr]));
  const rows = [];
  for (const c of result.connections) {
    let tr = existing.get(c.id);
    if (!tr) {
      tr = document.createElement('tr');
      tr.dataset.connection = c.id;
      for (let i = 0; i < 6; i++) cell(tr, '');
      const td = document.createElement('td');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'disconnect';
      button.dataset.connection = c.id;
      button.addEventListener('click', () => disconnect(c.id, button));
      td.appendChild(button);
      tr.appendChild(td);
    }
    tr.dataset.gateway = c.gateway;
    const values = [c.id, c.gateway, c.user == null ? '(anonymous)' : c.user, c.endpoint, (c.groups || []).join(', '), c.remote];
    values.forEach((value, i) => {
      const text = value == null ? '' : String(value);
      if (tr.cells[i].textContent !== text) tr.cells[i].textContent = text;
    });
    tr.cells[0].className = 'mono';
    tr.cells[1].className = 'mono';
    tr.cells[3].className = 'mono';
    tr.cells[4].className = 'mono';
    tr.cells[5].className = 'mono';
    const button = tr.querySelector('button.disconnect');
    if (c.closing) {
      button.textContent = 'Closing…';
      button.disabled = true;
    } else if (!button.dataset.busy) {
      button.textContent = 'Disconnect';
      button.disabled = false;
    }
    rows.push(tr);
  }
  // Same rows in the same order: nothing moves in the document.
  const same = rows.length === body.rows.length && rows.every((tr, i) => body.rows[i] === tr);
  if (!same) body.replaceChildren(...rows);
  $('connections-note').textContent = result.connections.length + ' connection(s)'
    + (result.truncated ? ' (more not shown)' : '')
    + (result.unreachable.length ? '; gateways that did not answer: ' + result.unreachable.join(', ') : '') + '.';
}

async function search() {
  if (!state.search) return;
  const { by, value } = state.search;
  try {
    if (by === 'user') {
      renderConnections(await api('/api/users/' + encodeURIComponent(value) + '/connections'));
    } else {
      renderConnections({ connections: [await api('/api/connections/' + encodeURIComponent(value))], truncated: false,
        unreachable: [] });
    }
  } catch (e) {
    if (e.status === 404) {
      renderConnections({ connections: [], truncated: false, unreachable: [] });
    }
    $('connections-note').textContent = e.message;
  }
}

async function disconnect(id, button) {
  button.disabled = true;
  button.dataset.busy = '1';
  button.textContent = 'Closing…';
  const code = $('may-reconnect').checked ? 4000 : 4500;
  try {
    const done = await api('/api/connections/' + encodeURIComponent(id) + '/disconnect', {
      method: 'POST',
      body: JSON.stringify({ code, reason: 'disconnected by an operator' }),
    });
    $('action-note').textContent = 'Connection ' + id + ' closed with ' + code + ' on gateway ' + done.gateway + '.';
  } catch (e) {
    delete button.dataset.busy;
    button.disabled = false;
    button.textContent = 'Disconnect';
    $('action-note').textContent = 'Connection ' + id + ' not closed: ' + e.message;
  }
}

async function poll() {
  try {
    const prefix = state.prefix ? '&prefix=' + encodeURIComponent(state.prefix) : '';
    const [cluster, nodes, groups] = await Promise.all([
      api('/api/cluster'), api('/api/nodes'), api('/api/groups?limit=200' + prefix)]);
    renderCluster(cluster);
    renderNodes(nodes);
    renderGroups(groups);
    await Promise.all([refreshPresence(), search()]);
    setStatus('connected', 'Live', 'Seen from gateway node ' + short(cluster.self) + ', updated '
      + new Date().toLocaleTimeString() + '.');
  } catch (e) {
    if (e.status === 401) {
      setStatus('error', 'Logged out', 'The login expired or the key changed: reload the page to log in again.');
      return; // No more polling: every call would be refused.
    }
    setStatus('error', 'Not updated', e.message);
  }
  schedule();
}

function schedule() {
  clearTimeout(state.timer);
  // A hidden tab costs the cluster nothing: polling resumes when it is shown again.
  if (!document.hidden) state.timer = setTimeout(poll, POLL_MS);
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) poll();
});
$('group-prefix').addEventListener('input', (event) => {
  state.prefix = event.target.value.trim();
});
$('search').addEventListener('submit', (event) => {
  event.preventDefault();
  state.search = { by: $('search-by').value, value: $('search-value').value.trim() };
  search();
});
poll();
