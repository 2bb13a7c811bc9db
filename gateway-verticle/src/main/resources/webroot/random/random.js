// Random numbers page: /ws/random sends {"message":N} once a second after START.
import { Connection } from '/js/realtime.js';
import { bindStatus } from '/js/ui.js';

const $ = id => document.getElementById(id);
const RECENT = 12;
let count = 0;

const connection = new Connection('/ws/random');
bindStatus(connection, $('status'), $('status-detail'));

connection.onStatus(() => {
  $('start').disabled = connection.active;
  $('stop').disabled = !connection.active;
});

connection.on('*', frame => {
  if (frame === null || typeof frame !== 'object' || !Number.isInteger(frame.message)) {
    return;
  }
  count++;
  $('number').textContent = frame.message;
  $('count').textContent = count;
  const item = document.createElement('li');
  item.textContent = frame.message;
  $('recent').prepend(item);
  while ($('recent').children.length > RECENT) {
    $('recent').lastElementChild.remove();
  }
});

$('start').addEventListener('click', () => {
  connection.connect();
  $('stop').focus();
});
$('stop').addEventListener('click', () => {
  connection.close();
  $('start').focus();
});
