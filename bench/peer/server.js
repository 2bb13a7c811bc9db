'use strict';

// The peer that Switchboard's benchmark compares against: a plain Node.js server on the `ws`
// package (https://github.com/websockets/ws), written from its README ("Multiple servers
// sharing a single HTTP/S server", "Server broadcast", "How to detect and close broken
// connections"). It serves the frames the benchmark uses, with the same shapes as the gateway:
//
//   /ws/hub  every frame, text or binary, goes to every other hub socket, never back to its sender
//   /ws      {"type":"subscribe","group":G,"id":..}         -> {"type":"subscribed","group":G,"id":..}
//            {"type":"unsubscribe","group":G,"id":..}       -> {"type":"unsubscribed","group":G,"id":..}
//            {"type":"publish","group":G,"data":D,"id":..}  -> {"type":"ack","id":..}, and to every
//                                  subscriber of G: {"type":"message","group":G,"data":D}
//            {"type":"ping","id":..}                        -> {"type":"pong","id":..,"serverTime":ms}
//   GET /api/stats     {"connections":n,"connectionsByEndpoint":{..},"memory":process.memoryUsage()}
//   GET /health/ready  {"status":"UP"}
//   POST /gc           runs a full GC when node was started with --expose-gc (204), else 501
//
// Environment: PORT (default 8090), HOST (default 0.0.0.0), PING_INTERVAL_MS (default 30000,
// like the gateway's keep-alive). One process, one thread: that is how `ws` is normally run.

const http = require('http');
const { WebSocketServer, WebSocket } = require('ws');

const PORT = Number(process.env.PORT || 8090);
const HOST = process.env.HOST || '0.0.0.0';
const PING_INTERVAL_MS = Number(process.env.PING_INTERVAL_MS || 30000);
// Same message limit as the gateway's default maxFrameBytes.
const MAX_PAYLOAD = 64 * 1024;

const hub = new Set();
const multiplex = new Set();
/** group name -> Set of /ws sockets */
const groups = new Map();

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const { pathname } = new URL(req.url, 'http://localhost');
  if (req.method === 'GET' && pathname === '/api/stats') {
    json(res, 200, {
      connections: hub.size + multiplex.size,
      connectionsByEndpoint: { '/ws/hub': hub.size, '/ws': multiplex.size },
      groups: groups.size,
      memory: process.memoryUsage(),
    });
  } else if (req.method === 'GET' && (pathname === '/health/ready' || pathname === '/health/live')) {
    json(res, 200, { status: 'UP' });
  } else if (req.method === 'POST' && pathname === '/gc') {
    if (typeof global.gc === 'function') {
      global.gc();
      res.writeHead(204);
      res.end();
    } else {
      json(res, 501, { error: 'not_available', message: 'start node with --expose-gc' });
    }
  } else {
    json(res, 404, { error: 'not_found', message: 'no resource at ' + pathname });
  }
});

// perMessageDeflate is off by default in ws, as it is for the benchmark's client.
const hubServer = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, clientTracking: false });
const wsServer = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, clientTracking: false });

function onSocketError(err) {
  // A client that goes away mid-handshake; nothing to do.
}

server.on('upgrade', (request, socket, head) => {
  socket.on('error', onSocketError);
  const { pathname } = new URL(request.url, 'ws://localhost');
  const target = pathname === '/ws/hub' ? hubServer : pathname === '/ws' ? wsServer : null;
  if (target === null) {
    socket.write('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    socket.destroy();
    return;
  }
  socket.removeListener('error', onSocketError);
  target.handleUpgrade(request, socket, head, (ws) => target.emit('connection', ws, request));
});

function keepAlive(ws) {
  ws.isAlive = true;
  ws.on('pong', () => {
    ws.isAlive = true;
  });
}

hubServer.on('connection', (ws) => {
  ws.on('error', onSocketError);
  keepAlive(ws);
  hub.add(ws);
  ws.on('close', () => hub.delete(ws));
  ws.on('message', (data, isBinary) => {
    for (const client of hub) {
      if (client !== ws && client.readyState === WebSocket.OPEN) {
        client.send(data, { binary: isBinary });
      }
    }
  });
});

function reply(ws, frame, id) {
  if (id !== undefined) {
    frame.id = id;
  }
  ws.send(JSON.stringify(frame));
}

function error(ws, code, message, id) {
  reply(ws, { type: 'error', code, message }, id);
}

function validId(id) {
  return id === undefined || typeof id === 'number' || typeof id === 'string';
}

wsServer.on('connection', (ws) => {
  ws.on('error', onSocketError);
  keepAlive(ws);
  ws.groups = new Set();
  multiplex.add(ws);
  ws.on('close', () => {
    multiplex.delete(ws);
    for (const group of ws.groups) {
      const members = groups.get(group);
      if (members) {
        members.delete(ws);
        if (members.size === 0) {
          groups.delete(group);
        }
      }
    }
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      error(ws, 'unsupported_frame', 'binary frames are not accepted on /ws');
      return;
    }
    let msg;
    try {
      msg = JSON.parse(data);
    } catch (e) {
      error(ws, 'invalid_json', 'not a JSON object');
      return;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      error(ws, 'invalid_json', 'not a JSON object');
      return;
    }
    const id = msg.id;
    if (!validId(id)) {
      error(ws, 'invalid_field', 'id must be a number or a string');
      return;
    }
    const group = msg.group;
    switch (msg.type) {
      case 'subscribe': {
        if (typeof group !== 'string' || group.length === 0) {
          error(ws, 'invalid_field', 'group must be a string', id);
          return;
        }
        let members = groups.get(group);
        if (!members) {
          members = new Set();
          groups.set(group, members);
        }
        members.add(ws);
        ws.groups.add(group);
        reply(ws, { type: 'subscribed', group }, id);
        return;
      }
      case 'unsubscribe': {
        if (typeof group !== 'string') {
          error(ws, 'invalid_field', 'group must be a string', id);
          return;
        }
        const members = groups.get(group);
        if (members) {
          members.delete(ws);
          if (members.size === 0) {
            groups.delete(group);
          }
        }
        ws.groups.delete(group);
        reply(ws, { type: 'unsubscribed', group }, id);
        return;
      }
      case 'publish': {
        if (typeof group !== 'string' || group.length === 0) {
          error(ws, 'invalid_field', 'group must be a string', id);
          return;
        }
        if (!('data' in msg)) {
          error(ws, 'invalid_field', 'data is missing', id);
          return;
        }
        const members = groups.get(group);
        if (members) {
          // Serialized once, written to every subscriber as a text frame.
          const frame = Buffer.from('{"type":"message","group":' + JSON.stringify(group) +
            ',"data":' + JSON.stringify(msg.data) + '}');
          for (const client of members) {
            if (client.readyState === WebSocket.OPEN) {
              client.send(frame, { binary: false });
            }
          }
        }
        reply(ws, { type: 'ack' }, id);
        return;
      }
      case 'ping':
        reply(ws, { type: 'pong', id, serverTime: Date.now() });
        return;
      default:
        error(ws, typeof msg.type === 'string' ? 'unknown_type' : 'invalid_field',
          'type must be subscribe, unsubscribe, publish or ping', id);
    }
  });
});

// Keep-alive as in the ws README: ping every socket each interval, terminate those that did not
// answer the previous ping (the gateway does the same with its pingIntervalMs).
const interval = setInterval(() => {
  for (const set of [hub, multiplex]) {
    for (const ws of set) {
      if (ws.isAlive === false) {
        ws.terminate();
        continue;
      }
      ws.isAlive = false;
      ws.ping();
    }
  }
}, PING_INTERVAL_MS);

function shutdown() {
  clearInterval(interval);
  for (const ws of hub) ws.terminate();
  for (const ws of multiplex) ws.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

server.listen(PORT, HOST, () => {
  console.log(`peer (node ${process.version}, ws ${require('ws/package.json').version}) listening on ${HOST}:${PORT}`);
});
