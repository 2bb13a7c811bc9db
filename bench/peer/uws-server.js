'use strict';

// The second peer of Switchboard's benchmark: the same endpoints and frames as server.js, on
// uWebSockets.js (v20.30.0, through the npm republish @trufflesuite/uws-js-unofficial, whose
// prebuilt binary matches Node 20), the server people pick when `ws` is too slow. Written from
// uWebSockets.js's examples and API (App, ws(), publish/subscribe topics). Groups are uWS topics,
// so a fan-out is uWS's own publish: serialized once, written by its C++ loop.
//
//   /ws/hub  every frame to every other hub socket (ws.publish skips the sender)
//   /ws      subscribe / unsubscribe / publish / ping, as server.js
//   GET /api/stats, GET /health/ready, POST /gc: as server.js
//
// Refuses to start (exit 1) when the native binary does not load: a run without it would
// measure nothing. Environment: PORT (default 8091), HOST (default 0.0.0.0).

let uWS;
try {
  uWS = require('@trufflesuite/uws-js-unofficial');
} catch (e) {
  console.error('uWebSockets.js did not load (its native binary for this Node and platform): ' + e.message);
  process.exit(1);
}

const PORT = Number(process.env.PORT || 8091);
const HOST = process.env.HOST || '0.0.0.0';
// Same message limit as the gateway's default maxFrameBytes.
const MAX_PAYLOAD = 64 * 1024;
const decoder = new TextDecoder();

let hubSockets = 0;
let wsSockets = 0;
const groupSizes = new Map();

function json(res, status, body) {
  res.cork(() => {
    res.writeStatus(status).writeHeader('Content-Type', 'application/json').end(JSON.stringify(body));
  });
}

function send(ws, frame, id) {
  if (id !== undefined) {
    frame.id = id;
  }
  ws.send(JSON.stringify(frame), false);
}

function error(ws, code, message, id) {
  send(ws, { type: 'error', code, message }, id);
}

const common = {
  compression: uWS.DISABLED,
  maxPayloadLength: MAX_PAYLOAD,
  // Pings every idle socket and closes one that does not answer, as the gateway's keep-alive.
  idleTimeout: 32,
  sendPingsAutomatically: true,
};

const app = uWS.App()
  .ws('/ws/hub', {
    ...common,
    open: (ws) => {
      hubSockets++;
      ws.subscribe('hub');
    },
    message: (ws, message, isBinary) => {
      ws.publish('hub', message, isBinary);
    },
    close: () => {
      hubSockets--;
    },
  })
  .ws('/ws', {
    ...common,
    open: (ws) => {
      wsSockets++;
      // The socket's groups, kept here: a closed uWS socket can no longer be asked.
      ws.groups = new Set();
    },
    message: (ws, message, isBinary) => {
      if (isBinary) {
        error(ws, 'unsupported_frame', 'binary frames are not accepted on /ws');
        return;
      }
      let msg;
      try {
        msg = JSON.parse(decoder.decode(message));
      } catch (e) {
        error(ws, 'invalid_json', 'not a JSON object');
        return;
      }
      if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
        error(ws, 'invalid_json', 'not a JSON object');
        return;
      }
      const id = msg.id;
      if (id !== undefined && typeof id !== 'number' && typeof id !== 'string') {
        error(ws, 'invalid_field', 'id must be a number or a string');
        return;
      }
      const group = msg.group;
      switch (msg.type) {
        case 'subscribe':
          if (typeof group !== 'string' || group.length === 0) {
            error(ws, 'invalid_field', 'group must be a string', id);
            return;
          }
          if (!ws.groups.has(group)) {
            ws.subscribe(group);
            ws.groups.add(group);
            groupSizes.set(group, (groupSizes.get(group) || 0) + 1);
          }
          send(ws, { type: 'subscribed', group }, id);
          return;
        case 'unsubscribe':
          if (typeof group !== 'string') {
            error(ws, 'invalid_field', 'group must be a string', id);
            return;
          }
          if (ws.groups.delete(group)) {
            ws.unsubscribe(group);
            leave(group);
          }
          send(ws, { type: 'unsubscribed', group }, id);
          return;
        case 'publish':
          if (typeof group !== 'string' || group.length === 0) {
            error(ws, 'invalid_field', 'group must be a string', id);
            return;
          }
          if (!('data' in msg)) {
            error(ws, 'invalid_field', 'data is missing', id);
            return;
          }
          // Serialized once; uWS writes it to every subscriber of the topic.
          app.publish(group, '{"type":"message","group":' + JSON.stringify(group) + ',"data":'
            + JSON.stringify(msg.data) + '}', false);
          send(ws, { type: 'ack' }, id);
          return;
        case 'ping':
          send(ws, { type: 'pong', id, serverTime: Date.now() });
          return;
        default:
          error(ws, typeof msg.type === 'string' ? 'unknown_type' : 'invalid_field',
            'type must be subscribe, unsubscribe, publish or ping', id);
      }
    },
    close: (ws) => {
      wsSockets--;
      // uWS drops a closed socket's subscriptions itself; the counts follow.
      for (const group of ws.groups) {
        leave(group);
      }
    },
  })
  .get('/api/stats', (res) => {
    json(res, '200 OK', {
      connections: hubSockets + wsSockets,
      connectionsByEndpoint: { '/ws/hub': hubSockets, '/ws': wsSockets },
      groups: groupSizes.size,
      memory: process.memoryUsage(),
    });
  })
  .get('/health/ready', (res) => json(res, '200 OK', { status: 'UP' }))
  .get('/health/live', (res) => json(res, '200 OK', { status: 'UP' }))
  .post('/gc', (res) => {
    if (typeof global.gc === 'function') {
      global.gc();
      res.cork(() => res.writeStatus('204 No Content').end());
    } else {
      json(res, '501 Not Implemented', { error: 'not_available', message: 'start node with --expose-gc' });
    }
  })
  .any('/*', (res, req) => json(res, '404 Not Found', { error: 'not_found', message: 'no resource at ' + req.getUrl() }));

function leave(group) {
  const left = (groupSizes.get(group) || 1) - 1;
  if (left <= 0) {
    groupSizes.delete(group);
  } else {
    groupSizes.set(group, left);
  }
}

let listenSocket = null;
app.listen(HOST, PORT, (socket) => {
  if (!socket) {
    console.error(`uWebSockets.js could not listen on ${HOST}:${PORT}`);
    process.exit(1);
  }
  listenSocket = socket;
  console.log(`peer (node ${process.version}, uWebSockets.js 20.30.0) listening on ${HOST}:${PORT}`);
});

function shutdown() {
  if (listenSocket) {
    uWS.us_listen_socket_close(listenSocket);
  }
  setTimeout(() => process.exit(0), 200).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
