// Test instrumentation, not part of any seed client: SeedClientsTest injects this into every
// page before the page's own scripts run (CDP Page.addScriptToEvaluateOnNewDocument). It wraps
// the WebSocket constructor so the test can read, in the page's own clock, when each socket
// opened, what it received and when, and how it closed. The page's code is left as it is.
(function () {
  var Native = window.WebSocket;
  var sockets = [];
  window.__seedProbe = { sockets: sockets };
  function Probed(url, protocols) {
    var ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    var record = {
      url: String(url), createdAt: performance.now(), openedAt: null, closedAt: null,
      closeCode: null, closeReason: null, errors: 0, messages: []
    };
    sockets.push(record);
    ws.addEventListener('open', function () { record.openedAt = performance.now(); });
    ws.addEventListener('message', function (e) {
      if (record.messages.length < 5000) {
        record.messages.push({ at: performance.now(), data: typeof e.data === 'string' ? e.data : '[binary]' });
      }
    });
    ws.addEventListener('error', function () { record.errors++; });
    ws.addEventListener('close', function (e) {
      record.closedAt = performance.now();
      record.closeCode = e.code;
      record.closeReason = e.reason;
    });
    return ws;
  }
  Probed.prototype = Native.prototype;
  Probed.CONNECTING = 0;
  Probed.OPEN = 1;
  Probed.CLOSING = 2;
  Probed.CLOSED = 3;
  window.WebSocket = Probed;
})();
