// The one change the seed clients get: where the gateway is. The seed apps served their page
// and their socket from fixed addresses (localhost:3000, localhost:8000, ...); the test's
// gateway is on a random port, so each page is loaded with ?gateway=<host>:<port> and reads it
// here. Without the parameter the page keeps its seed's own address (data-default).
(function () {
  var fallback = (document.currentScript && document.currentScript.getAttribute('data-default')) || 'localhost:8000';
  var hostPort = new URLSearchParams(window.location.search).get('gateway') || fallback;
  var colon = hostPort.lastIndexOf(':');
  window.SEED_GATEWAY = {
    hostPort: hostPort,
    host: hostPort.slice(0, colon),
    port: Number(hostPort.slice(colon + 1))
  };
})();
