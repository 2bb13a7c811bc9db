// Feature page: the flow of a Django Channels "feature" consumer (seed 004) on Switchboard.
// ?id=<featureId> (default "demo") names the feature. The page subscribes to the plain group
// feature_<id> on /ws and lists what the backend publishes there (POST /api/groups/{group}/
// messages); "Perform action" sends rpc('your_action', {featureId, input}), which the gateway
// posts to the backend's proxy.rpcUrl, and shows the action_result the backend answers, or the
// RealtimeError (service_unavailable, backend_error with the backend's reason, timeout, ...).
import { connectMultiplex } from '/js/realtime.js';
import { appendLog, bindStatus, describe } from '/js/ui.js';

const $ = id => document.getElementById(id);
// feature_<id> must be a valid group name: [A-Za-z0-9_.:-], at most 128 characters.
const FEATURE_ID = /^[A-Za-z0-9_.:-]{1,120}$/;
const DEFAULT_ID = 'demo';

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A value as one line of text: a string as it is, anything else as JSON. */
function compact(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

// ---- which feature ----------------------------------------------------------------------

const requested = (new URLSearchParams(location.search).get('id') ?? '').trim();
const featureId = requested === '' || !FEATURE_ID.test(requested) ? DEFAULT_ID : requested;
const group = `feature_${featureId}`;

$('feature-id').textContent = featureId;
$('group-name').textContent = group;
$('feature-input').value = featureId;
document.title = `Feature ${featureId} · Switchboard`;
if (requested !== '' && requested !== featureId) {
  $('id-error').textContent = `“${requested}” is not a feature id (letters, digits, _ . : -, up to 120); showing ${DEFAULT_ID}.`;
}

$('feature-form').addEventListener('submit', event => {
  const id = $('feature-input').value.trim();
  if (!FEATURE_ID.test(id)) {
    event.preventDefault();
    $('id-error').textContent = 'A feature id has 1 to 120 letters, digits, _ . : or -.';
    $('feature-input').focus();
    return;
  }
  $('feature-input').value = id; // the form goes to /feature/?id=<id>
});

// ---- connection and status updates ------------------------------------------------------

const connection = connectMultiplex();
bindStatus(connection, $('status'), $('status-detail'));

let busy = false;

function updateButton() {
  $('perform').disabled = busy || connection.status !== 'connected';
}

connection.onStatus((status, detail) => {
  updateButton();
  if (status === 'connected' || status === 'disconnected') {
    appendLog($('updates'), `${status}. ${describe(status, detail)}`, { cls: 'status-entry', data: { status } });
  }
});
updateButton();

/** A status update as text: {type, data} objects (the seed's shape) as "type: data". */
function updateText(data) {
  if (isObject(data) && typeof data.type === 'string' && 'data' in data) {
    return `${data.type}: ${compact(data.data)}`;
  }
  return compact(data);
}

connection.subscribe(group, data => {
  appendLog($('updates'), updateText(data), { cls: 'update' });
}, {
  onSubscribed: s => appendLog($('updates'), `${s.count > 1 ? 'resubscribed' : 'subscribed'} to ${group}`,
    { cls: 'status-entry', data: { subscribed: group } }),
}).catch(error => {
  appendLog($('updates'), `not subscribed to ${group}: ${error.message}`, { cls: 'status-entry' });
});

// ---- the action -------------------------------------------------------------------------

/**
 * The backend's answer: {type: 'action_result', data} as the seed sent it. An answer with a type
 * but no data field (e.g. the Python backend of docs/backend.md) shows its other fields as data.
 */
function showResult(result) {
  const typed = isObject(result) && typeof result.type === 'string';
  let data = result;
  if (typed) {
    const { type, ...rest } = result;
    data = 'data' in result ? result.data : rest;
  }
  $('result-type').textContent = typed ? result.type : '(no type)';
  $('result-data').textContent = data === undefined ? '(no data)' : JSON.stringify(data, null, 2);
  $('result').hidden = false;
  $('result-empty').hidden = true;
}

function clearResult(note) {
  $('result').hidden = true;
  $('result-empty').hidden = false;
  $('result-empty').textContent = note;
}

/** The error in the page: its code, the gateway's (or the backend's) message, the backend's reason. */
function showError(error) {
  const box = $('action-error');
  const code = typeof error.code === 'string' ? error.code : 'error';
  const frame = isObject(error.frame) ? error.frame : null;
  let message = frame && typeof frame.message === 'string' ? frame.message : String(error.message ?? error);
  if (message.startsWith(`${code}: `)) {
    message = message.slice(code.length + 2);
  }
  const codeEl = document.createElement('code');
  codeEl.textContent = code;
  const parts = [codeEl, `: ${message}`];
  if (frame && frame.reason !== undefined && frame.reason !== null) {
    const reasonEl = document.createElement('code');
    reasonEl.textContent = String(frame.reason);
    parts.push(' (reason: ', reasonEl, ')');
  }
  box.dataset.code = code;
  box.replaceChildren(...parts);
}

function clearError() {
  delete $('action-error').dataset.code;
  $('action-error').replaceChildren();
}

$('action-form').addEventListener('submit', async event => {
  event.preventDefault();
  if (busy || connection.status !== 'connected') {
    return;
  }
  const input = $('input').value;
  busy = true;
  updateButton();
  clearError();
  $('action-form').setAttribute('aria-busy', 'true');
  try {
    showResult(await connection.rpc('your_action', { featureId, input }));
  } catch (error) {
    clearResult('No result: the action failed.');
    showError(error);
  } finally {
    busy = false;
    $('action-form').removeAttribute('aria-busy');
    updateButton();
    if ($('perform').disabled === false && document.activeElement === document.body) {
      $('input').focus(); // the disabled button dropped the focus
    }
  }
});
