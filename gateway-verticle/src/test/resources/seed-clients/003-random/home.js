// Seed 003's HomeApp/static/home.js as the document's step 18 gives it. The one change:
// 'ws://localhost:8000/ws/some_url/' takes the gateway's host:port from ../config.js.
function startCommunication() {
    alert("Starting websocket communication");
    var socket = new WebSocket('ws://' + window.SEED_GATEWAY.hostPort + '/ws/some_url/');
    socket.onmessage = function(event) {
        var data = JSON.parse(event.data);
        document.getElementById("div_ws").innerText = data.message;
    }
}
