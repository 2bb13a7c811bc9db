'use strict';
// Merges the loadgen results of one bench/run.sh run into one JSON file and a markdown table.
//   node bench/report.js WORK_DIR OUT_JSON OUT_MD
// WORK_DIR holds machine.json and <server>-<tag>.json files written by loadgen (server: ours,
// peer (Node ws), uws (uWebSockets.js), cluster1, cluster2 (also cluster2-lowrate-R, the trickle), chat1 and chat2 (the trickle into a chat room, embedded and across a cluster), plain and stream: the stream scenario's two runs; deflateoff and
// deflateon: the deflate scenario's; histmem, histfile, histfsync (embedded) and pgoff, pgon (one
// data member, without and with PostgreSQL): the persist scenario's). The table is also printed on stdout.
// It can also re-render a merged file: node bench/report.js --from results/X.json OUT_MD

const fs = require('fs');
const path = require('path');

function load(workDir) {
  const machine = JSON.parse(fs.readFileSync(path.join(workDir, 'machine.json'), 'utf8'));
  const runs = {};
  for (const file of fs.readdirSync(workDir).sort()) {
    const m = /^(ours|peer|uws|cluster1|cluster2|chat1|chat2|plain|stream|seq1|seq2|deflateoff|deflateon|histmem|histfile|histfsync|pgoff|pgon)-(.+)\.json$/.exec(file);
    if (!m) continue;
    runs[m[2]] = runs[m[2]] || {};
    runs[m[2]][m[1]] = JSON.parse(fs.readFileSync(path.join(workDir, file), 'utf8'));
  }
  return { machine, runs };
}

const get = (o, p) => p.split('.').reduce((v, k) => (v == null ? undefined : v[k]), o);
const num = (v) => typeof v === 'number' && Number.isFinite(v);

function fmt(v, digits) {
  if (!num(v)) return 'n/a';
  if (digits === undefined) digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratio(a, b) {
  if (!num(a) || !num(b) || b <= 0 || a < 0) return 'n/a';
  return fmt(a / b, 2) + 'x';
}

function pct(v) {
  return num(v) ? fmt(v * 100, 0) + '%' : 'n/a';
}

/** Who limited a run: the generator (its core near full) or the server. */
function limits(r) {
  const notes = [];
  for (const [name, run] of Object.entries(r)) {
    const cpu = get(run, 'result.cpu');
    if (!cpu) continue;
    const who = name === 'ours' ? 'ours' : name === 'peer' ? 'peer' : name;
    if (cpu.generatorSaturated) notes.push(`generator saturated in the ${who} run (${pct(cpu.generatorCoreShare)} of its core)`);
    if (num(cpu.serverCoreShare) && cpu.serverCoreShare >= 0.9) notes.push(`${who} server saturated (${pct(cpu.serverCoreShare)} of its core)`);
    if (run.result && run.result.sustained === false) notes.push(`${who} did not sustain the rate (lost ${fmt(run.result.lost, 0)}, backlog ${fmt(run.result.backlogSeconds, 2)} s)`);
    if (run.result && run.result.errors) notes.push(`${who} errors: ${JSON.stringify(run.result.errors)}`);
  }
  return notes.join('; ');
}

function render({ machine, runs }) {
  const rows = [];
  // Columns: ours, the ws peer and ours/ws, the uWebSockets.js peer and ours/uWS (empty when
  // the run had no uWS peer).
  const row = (figure, a, b, r, note, c = '', rc = '') => rows.push(`| ${figure} | ${a} | ${b} | ${r} | ${c} | ${rc} | ${note || ''} |`);
  const section = (title) => rows.push(`| **${title}** | | | | | | |`);
  const pair = (r, key, figure, digits, note) => {
    const a = get(r.ours, key), b = get(r.peer, key), c = r.uws ? get(r.uws, key) : undefined;
    row(figure, fmt(a, digits), fmt(b, digits), ratio(a, b), note, r.uws ? fmt(c, digits) : '', r.uws ? ratio(a, c) : '');
  };
  const s = machine.settings;
  const split = (r, unit, figure) => {
    const v = (run) => `${fmt(get(run, `result.cpu.serverUserMicrosPer${unit}`))} / ${fmt(get(run, `result.cpu.serverSystemMicrosPer${unit}`))}`;
    row(figure, v(r.ours), v(r.peer), '', '', r.uws ? v(r.uws) : '', '');
  };
  const both = (r, f) => [f(r.ours), f(r.peer), r.uws ? f(r.uws) : ''];

  const connect = runs.connect;
  if (connect && connect.ours && connect.peer) {
    const n = get(connect.ours, 'result.connections.requested');
    section(`connect: ${fmt(n, 0)} idle sockets on /ws, opened at ${fmt(s.connectRate, 0)}/s`);
    pair(connect, 'result.connections.connectTime.p50Ms', 'connect time p50 (ms)');
    pair(connect, 'result.connections.connectTime.p99Ms', 'connect time p99 (ms)');
    const [o1, p1, u1] = both(connect, (run) => `${get(run, 'result.connections.opened')} / ${get(run, 'result.connections.failures')}`);
    row('sockets opened / failed', o1, p1, '', '', u1);
    pair(connect, 'result.cpu.serverCpuMicrosPerConnection', 'server CPU per connection (µs)', undefined, limits(connect));
    split(connect, 'Connection', '… of which user / system (µs)');
    pair(connect, 'result.memoryPerSocket.rssBytes', 'server RSS growth per idle socket (bytes, after GC)', 0);
    const heap = get(connect.ours, 'result.memoryPerSocket.heapUsedBytes');
    const uws = connect.uws;
    row('heap per idle socket (bytes, after GC)', fmt(heap, 0) + ' (JVM heap)',
      fmt(get(connect.peer, 'result.memoryPerSocket.nodeHeapUsedBytes'), 0) + ' (V8 heap)',
      ratio(heap, get(connect.peer, 'result.memoryPerSocket.nodeHeapUsedBytes')), '',
      uws ? fmt(get(uws, 'result.memoryPerSocket.nodeHeapUsedBytes'), 0) + ' (V8 heap)' : '',
      uws ? ratio(heap, get(uws, 'result.memoryPerSocket.nodeHeapUsedBytes')) : '');
    row('off-heap per idle socket (bytes, after GC)', fmt(get(connect.ours, 'result.memoryPerSocket.directUsedBytes'), 0) + ' (direct buffers)',
      fmt(get(connect.peer, 'result.memoryPerSocket.nodeExternalBytes'), 0) + ' (external)', '', '',
      uws ? fmt(get(uws, 'result.memoryPerSocket.nodeExternalBytes'), 0) + ' (external)' : '');
    const rss = (run) => get(run, 'result.memoryAfter.rssKib');
    row('server RSS with the sockets open (MiB)', fmt(rss(connect.ours) / 1024, 0), fmt(rss(connect.peer) / 1024, 0),
      ratio(rss(connect.ours), rss(connect.peer)), '', uws ? fmt(rss(uws) / 1024, 0) : '', uws ? ratio(rss(connect.ours), rss(uws)) : '');
  }

  const fanoutTags = Object.keys(runs).filter((t) => /^fanout-/.test(t) && runs[t].ours && runs[t].peer)
    .sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)));
  const primary = `fanout-${s.rate}`;
  const fanoutRows = (tag, title) => {
    const r = runs[tag];
    section(title);
    pair(r, 'result.deliveriesPerSecond', `deliveries/s (offered ${fmt(get(r.ours, 'result.offeredRate') * get(r.ours, 'result.receivers.requested'), 0)})`, 0);
    pair(r, 'result.backlogSeconds', 'backlog: last delivery after the last send (s)', 2);
    const lost = (run) => `${get(run, 'result.lost')} / ${get(run, 'result.duplicates')}`;
    row('lost / duplicates', lost(r.ours), lost(r.peer), '', '', r.uws ? lost(r.uws) : '');
    pair(r, 'result.latency.p50Ms', 'delivery latency p50 (ms)');
    pair(r, 'result.latency.p99Ms', 'delivery latency p99 (ms)');
    pair(r, 'result.latency.p999Ms', 'delivery latency p99.9 (ms)');
    pair(r, 'result.cpu.serverCpuMicrosPerDelivery', 'server CPU per delivery (µs)', 2);
    split(r, 'Delivery', '… of which user / system (µs)');
    const cores = (run) => `${pct(get(run, 'result.cpu.serverCoreShare'))} (idle ${pct(get(run, 'result.idleCpu.serverCoreShare'))}) / ${pct(get(run, 'result.cpu.generatorCoreShare'))}`;
    row('core used: server (server idle) / generator', cores(r.ours), cores(r.peer), '', limits(r), r.uws ? cores(r.uws) : '');
  };
  if (runs[primary] && runs[primary].ours && runs[primary].peer) {
    fanoutRows(primary, `fanout: ${fmt(s.subscribers, 0)} subscribers on /ws, 1 publisher at ${s.rate} msg/s, ${s.duration} s`);
  }
  const sweep = fanoutTags.filter((t) => t !== primary);
  for (const tag of sweep) {
    fanoutRows(tag, `fanout: ${fmt(s.subscribers, 0)} subscribers at ${tag.slice(7)} msg/s, ${s.duration} s`);
  }

  // The trickle: latency when nothing is busy (few messages, few subscribers), and with
  // --cluster the same across two clustered gateways, in the ours column of its own row.
  const trickleTag = Object.keys(runs).find((t) => /^lowrate-/.test(t) && runs[t].ours && runs[t].peer);
  if (trickleTag) {
    const r = runs[trickleTag];
    const t = s.trickle || {};
    fanoutRows(trickleTag, `lowrate: ${fmt(t.subscribers, 0)} subscribers on /ws at ${trickleTag.slice(8)} msg/s, ${t.duration} s`);
    for (const [run, name] of [[r.chat1, 'chat room, embedded'], [r.chat2, 'chat room, two gateways + chat process']]) {
      if (!run) continue;
      for (const [k, label] of [['result.latency.p50Ms', 'latency p50 (ms)'], ['result.latency.p99Ms', 'latency p99 (ms)']]) {
        row(`${name}: ${label}`, fmt(get(run, k)), fmt(get(r.peer, k)), ratio(get(run, k), get(r.peer, k)),
          `vs the /ws group, embedded: ${ratio(get(run, k), get(r.ours, k))}${limits({ [name]: run }) ? '; ' + limits({ [name]: run }) : ''}`,
          r.uws ? fmt(get(r.uws, k)) : '', r.uws ? ratio(get(run, k), get(r.uws, k)) : '');
      }
    }
    if (r.chat1 && r.chat2) {
      const a = get(r.chat2, 'result.latency.p50Ms'), b = get(r.chat1, 'result.latency.p50Ms');
      row('chat room p50: cluster / embedded', ratio(a, b), '', '', '', '', '');
    }
    // Where a chat message's time goes (means over the measured window, from the servers' own
    // timers): the store (chat service: wait, append, commit), the event bus to the chat service
    // and back (the gateway's request round trip minus the store), and the rest: the sender's
    // socket into the gateway and the deliveries out of the gateways (mean latency minus the
    // round trip; the publish to the gateways travels while the answer does).
    for (const [run, name] of [[r.chat1, 'chat room, embedded'], [r.chat2, 'chat room, two gateways + chat process']]) {
      const hops = run && get(run, 'result.cpu.hopTimers');
      if (!hops) continue;
      const total = get(run, 'result.latency.meanMs') * 1000;
      const store = hops.switchboard_chat_store_seconds.meanMicros;
      const trip = hops.switchboard_service_request_seconds.meanMicros;
      row(`${name}: mean latency (µs) = sockets and fan-out + event bus there and back + store`,
        `${fmt(total, 0)} = ${fmt(total - trip, 0)} + ${fmt(trip - store, 0)} + ${fmt(store, 0)}`, '', '',
        `${hops.switchboard_service_request_seconds.count} requests timed`, '', '');
    }
    const two = r.cluster2;
    if (two) {
      for (const [k, label] of [['result.latency.p50Ms', 'two clustered gateways: latency p50 (ms)'],
        ['result.latency.p99Ms', 'two clustered gateways: latency p99 (ms)'],
        ['result.cpu.serverCpuMicrosPerDelivery', 'two clustered gateways: server CPU per delivery (µs, both)']]) {
        row(label, fmt(get(two, k)), fmt(get(r.peer, k)), ratio(get(two, k), get(r.peer, k)),
          `two/embedded ${ratio(get(two, k), get(r.ours, k))}`, r.uws ? fmt(get(r.uws, k)) : '', r.uws ? ratio(get(two, k), get(r.uws, k)) : '');
      }
    }
  }

  const hubTag = Object.keys(runs).find((t) => /^hub-/.test(t));
  if (hubTag && runs[hubTag].ours && runs[hubTag].peer) {
    const r = runs[hubTag];
    section(`hub: ${fmt(get(r.ours, 'result.receivers.requested'), 0)} receivers on /ws/hub, 1 sender at ${hubTag.slice(4)} msg/s, ${s.duration} s`);
    pair(r, 'result.deliveriesPerSecond', 'deliveries/s', 0);
    const lost = (run) => `${get(run, 'result.lost')} / ${get(run, 'result.duplicates')}`;
    row('lost / duplicates', lost(r.ours), lost(r.peer), '', '', r.uws ? lost(r.uws) : '');
    pair(r, 'result.latency.p50Ms', 'delivery latency p50 (ms)');
    pair(r, 'result.latency.p99Ms', 'delivery latency p99 (ms)');
    pair(r, 'result.latency.p999Ms', 'delivery latency p99.9 (ms)');
    pair(r, 'result.cpu.serverCpuMicrosPerDelivery', 'server CPU per delivery (µs)', 2, limits(r));
    split(r, 'Delivery', '… of which user / system (µs)');
  }

  const ping = runs.ping;
  if (ping && ping.ours && ping.peer) {
    section(`ping: ${fmt(get(ping.ours, 'result.roundTrips'), 0)} sequential round trips on one /ws socket`);
    pair(ping, 'result.roundTripsPerSecond', 'round trips/s', 0);
    pair(ping, 'result.latency.p50Ms', 'round trip p50 (ms)');
    pair(ping, 'result.latency.p99Ms', 'round trip p99 (ms)');
    pair(ping, 'result.latency.p999Ms', 'round trip p99.9 (ms)');
    pair(ping, 'result.cpu.serverCpuMicrosPerRoundTrip', 'server CPU per round trip (µs)', undefined, limits(ping));
    split(ping, 'RoundTrip', '… of which user / system (µs)');
  }

  const cluster = Object.keys(runs).find((t) => runs[t].cluster1 && runs[t].cluster2);
  const clusterRows = [];
  if (cluster) {
    const one = runs[cluster].cluster1, two = runs[cluster].cluster2;
    const a = get(two, 'result.cpu.serverCpuMicrosPerDelivery'), b = get(one, 'result.cpu.serverCpuMicrosPerDelivery');
    clusterRows.push('| Figure | one clustered gateway | two clustered gateways | ratio two/one | Note |', '|---|---|---|---|---|');
    clusterRows.push(`| server CPU per delivery (µs, all gateways) | ${fmt(b, 2)} | ${fmt(a, 2)} | ${ratio(a, b)} | ${limits(runs[cluster])} |`);
    clusterRows.push(`| server core used with no traffic (all gateways) | ${pct(get(one, 'result.idleCpu.serverCoreShare'))} | ${pct(get(two, 'result.idleCpu.serverCoreShare'))} | | background: timers, Hazelcast heartbeats |`);
    for (const [k, label] of [['result.deliveriesPerSecond', 'deliveries/s'], ['result.latency.p50Ms', 'latency p50 (ms)'], ['result.latency.p99Ms', 'latency p99 (ms)']]) {
      clusterRows.push(`| ${label} | ${fmt(get(one, k))} | ${fmt(get(two, k))} | ${ratio(get(two, k), get(one, k))} | |`);
    }
  }

  const streamTag = Object.keys(runs).find((t) => runs[t].plain && runs[t].stream);
  const streamRows = [];
  if (streamTag) {
    const plain = runs[streamTag].plain, stream = runs[streamTag].stream;
    streamRows.push('| Figure | plain group | stream group | ratio stream/plain | Note |', '|---|---|---|---|---|');
    for (const [k, label] of [['result.cpu.serverCpuMicrosPerDelivery', 'server CPU per delivery (µs)'],
      ['result.deliveriesPerSecond', 'deliveries/s'], ['result.latency.p50Ms', 'latency p50 (ms)'],
      ['result.latency.p99Ms', 'latency p99 (ms)']]) {
      streamRows.push(`| ${label} | ${fmt(get(plain, k))} | ${fmt(get(stream, k))} | ${ratio(get(stream, k), get(plain, k))} | |`);
    }
  }

  const deflateTag = Object.keys(runs).find((t) => runs[t].deflateoff && runs[t].deflateon);
  const deflateRows = [];
  if (deflateTag) {
    const off = runs[deflateTag].deflateoff, on = runs[deflateTag].deflateon;
    deflateRows.push('| Figure | deflate off | deflate on | ratio on/off | Note |', '|---|---|---|---|---|');
    for (const [k, label, note] of [['result.cpu.serverBytesOutPerDelivery', 'bytes out per delivery', 'switchboard_bytes_out_total: frames as written, headers included'],
      ['result.cpu.serverCpuMicrosPerDelivery', 'server CPU per delivery (µs)', ''],
      ['result.deliveriesPerSecond', 'deliveries/s', ''], ['result.latency.p50Ms', 'latency p50 (ms)', ''],
      ['result.latency.p99Ms', 'latency p99 (ms)', '']]) {
      deflateRows.push(`| ${label} | ${fmt(get(off, k))} | ${fmt(get(on, k))} | ${ratio(get(on, k), get(off, k))} | ${note} |`);
    }
  }

  const seqRows = [];
  if (runs.sequence && runs.sequence.seq1 && runs.sequence.seq2) {
    const one = runs.sequence.seq1, two = runs.sequence.seq2;
    seqRows.push('| Figure | one data member | two data members | ratio two/one | Note |', '|---|---|---|---|---|');
    for (const [k, label] of [['result.publishesPerSecond', 'publishes numbered and stored per second'],
      ['result.latency.p50Ms', 'publish to ack p50 (ms)'], ['result.latency.p99Ms', 'publish to ack p99 (ms)'],
      ['result.cpu.serverCpuMicrosPerPublish', 'server CPU per publish (µs, all processes)']]) {
      seqRows.push(`| ${label} | ${fmt(get(one, k))} | ${fmt(get(two, k))} | ${ratio(get(two, k), get(one, k))} | |`);
    }
  }

  // What keeping the history costs: embedded (memory, file, file with fsync), then a data
  // member without and with PostgreSQL. The runs are columns, as in the stream and sequence tables.
  const ready = (run) => (run ? `${get(run, 'result.receivers.ready')} / ${get(run, 'result.lost')} / ${get(run, 'result.duplicates')}` : 'n/a');
  const persistTag = Object.keys(runs).find((t) => runs[t].histmem || runs[t].histfile || runs[t].histfsync);
  const persistRows = [];
  if (persistTag) {
    const { histmem: mem, histfile: file, histfsync: fsync } = runs[persistTag];
    const userSystem = (run) => `${fmt(get(run, 'result.cpu.serverUserMicrosPerDelivery'))} / ${fmt(get(run, 'result.cpu.serverSystemMicrosPerDelivery'))}`;
    persistRows.push('| Figure | history in memory | history file | history file, fsync | ratio file/memory | ratio fsync/memory | Note |',
      '|---|---|---|---|---|---|---|');
    for (const [k, label] of [['result.cpu.serverCpuMicrosPerDelivery', 'server CPU per delivery (µs)'],
      ['result.deliveriesPerSecond', 'deliveries/s'], ['result.latency.p50Ms', 'delivery latency p50 (ms)'],
      ['result.latency.p99Ms', 'delivery latency p99 (ms)'], ['result.latency.p999Ms', 'delivery latency p99.9 (ms)']]) {
      persistRows.push(`| ${label} | ${fmt(get(mem, k))} | ${fmt(get(file, k))} | ${fmt(get(fsync, k))} | ${ratio(get(file, k), get(mem, k))} | ${ratio(get(fsync, k), get(mem, k))} | |`);
    }
    persistRows.push(`| … of which user / system (µs) | ${userSystem(mem)} | ${userSystem(file)} | ${userSystem(fsync)} | | | |`);
    persistRows.push(`| subscribers ready / lost / duplicates | ${ready(mem)} | ${ready(file)} | ${ready(fsync)} | | | ${limits({ 'history in memory': mem || {}, 'history file': file || {}, 'history file, fsync': fsync || {} })} |`);
  }
  const pgFanout = Object.keys(runs).find((t) => /^persist-cluster-/.test(t) && (runs[t].pgoff || runs[t].pgon));
  const pgSeq = runs['persist-sequence'];
  const pgRows = [];
  if (pgFanout || pgSeq) {
    pgRows.push('| Figure | one data member, history in memory | one data member, history in PostgreSQL | ratio PostgreSQL/memory | Note |', '|---|---|---|---|---|');
    // What limited a run: once per block, on its first row.
    const line = (r, k, label, first) => pgRows.push(`| ${label} | ${fmt(get(r.pgoff, k))} | ${fmt(get(r.pgon, k))} | ${ratio(get(r.pgon, k), get(r.pgoff, k))} | ${first ? limits({ 'in memory': r.pgoff || {}, 'PostgreSQL': r.pgon || {} }) : ''} |`);
    if (pgFanout) {
      const r = runs[pgFanout];
      [['result.cpu.serverCpuMicrosPerDelivery', `fanout ${pgFanout.slice(16)} msg/s: server CPU per delivery (µs, all processes)`],
        ['result.deliveriesPerSecond', 'fanout: deliveries/s'], ['result.latency.p50Ms', 'fanout: delivery latency p50 (ms)'],
        ['result.latency.p99Ms', 'fanout: delivery latency p99 (ms)']].forEach(([k, label], i) => line(r, k, label, i === 0));
      pgRows.push(`| fanout: subscribers ready / lost / duplicates | ${ready(r.pgoff)} | ${ready(r.pgon)} | | |`);
    }
    if (pgSeq) {
      [['result.cpu.serverCpuMicrosPerPublish', 'sequence: server CPU per publish (µs, all processes)'],
        ['result.publishesPerSecond', 'sequence: publishes numbered and stored per second'],
        ['result.latency.p50Ms', 'sequence: publish to ack p50 (ms)'], ['result.latency.p99Ms', 'sequence: publish to ack p99 (ms)']]
        .forEach(([k, label], i) => line(pgSeq, k, label, i === 0));
    }
  }

  // The project's targets, each met or missed.
  const targets = [];
  const target = (name, value, goal, met, note) => targets.push(`| ${name} | ${value} | ${goal} | ${met} | ${note || ''} |`);
  const verdict = (x, limit) => (!num(x) ? 'not measured'
    : x < 0 ? 'not measurable (a negative growth: too few sockets for the noise)'
      : x <= limit ? `met (${fmt(x, 2)}x)` : `missed (${fmt(x, 2)}x, ${fmt(x / limit, 2)}x the limit)`);
  const r0 = runs[primary];
  if (r0 && r0.ours && r0.peer) {
    const x = get(r0.ours, 'result.cpu.serverCpuMicrosPerDelivery') / get(r0.peer, 'result.cpu.serverCpuMicrosPerDelivery');
    target(`server CPU per delivery, ${s.rate} msg/s x ${s.subscribers} subscribers`, `${fmt(get(r0.ours, 'result.cpu.serverCpuMicrosPerDelivery'), 2)} vs ${fmt(get(r0.peer, 'result.cpu.serverCpuMicrosPerDelivery'), 2)} µs`, '<= 0.3x peer', verdict(x, 0.3));
    const p = get(r0.ours, 'result.latency.p99Ms') / get(r0.peer, 'result.latency.p99Ms');
    target(`p99 delivery latency, ${s.rate} msg/s`, `${fmt(get(r0.ours, 'result.latency.p99Ms'))} vs ${fmt(get(r0.peer, 'result.latency.p99Ms'))} ms`, '<= 0.5x peer', verdict(p, 0.5));
  }
  const bothSustained = fanoutTags.filter((t) => runs[t].ours.result.sustained && runs[t].peer.result.sustained
    && !runs[t].ours.result.cpu.generatorSaturated && !runs[t].peer.result.cpu.generatorSaturated);
  if (bothSustained.length) {
    const top = bothSustained[bothSustained.length - 1];
    const r = runs[top];
    const x = get(r.ours, 'result.cpu.serverCpuMicrosPerDelivery') / get(r.peer, 'result.cpu.serverCpuMicrosPerDelivery');
    const tried = fanoutTags.map((t) => t.slice(7)).join(', ');
    target(`server CPU per delivery at the highest rate both sustain (${top.slice(7)} msg/s of ${tried} tried)`,
      `${fmt(get(r.ours, 'result.cpu.serverCpuMicrosPerDelivery'), 2)} vs ${fmt(get(r.peer, 'result.cpu.serverCpuMicrosPerDelivery'), 2)} µs`, '<= 0.3x peer', verdict(x, 0.3),
      'sustained = under 0.1% lost, schedule kept, last delivery within 1 s of the last send, generator below 90% of its core');
  }
  if (connect && connect.ours && connect.peer) {
    const n = get(connect.ours, 'result.connections.opened');
    const a = get(connect.ours, 'result.memoryPerSocket.rssBytes'), b = get(connect.peer, 'result.memoryPerSocket.rssBytes');
    target(`memory per idle socket (RSS growth, ${fmt(n, 0)} open)`, `${fmt(a, 0)} vs ${fmt(b, 0)} bytes`, '<= 0.35x peer (at 10k open)',
      verdict(a / b, 0.35), n < 10000 ? `measured with ${fmt(n, 0)} sockets, not 10k` : '');
    const heap = get(connect.ours, 'result.memoryPerSocket.heapUsedBytes');
    const direct = get(connect.ours, 'result.memoryPerSocket.directUsedBytes') || 0;
    target('100k idle sockets within a 1 GiB heap', n >= 100000 ? `${fmt(get(connect.ours, 'result.memoryAfter.heapUsedBytes') / 1048576, 0)} MiB heap with ${fmt(n, 0)} open` : 'not measured',
      '<= 1 GiB heap', n >= 100000 ? (get(connect.ours, 'result.memoryAfter.heapUsedBytes') <= 1073741824 ? 'met' : 'missed') : 'not measured',
      n >= 100000 ? '' : `only ${fmt(n, 0)} sockets in this run; at ${fmt(heap, 0)} B heap + ${fmt(direct, 0)} B direct per socket, 100k would need ~${fmt((heap + direct) * 1e5 / 1048576, 0)} MiB (arithmetic, not a measurement)`);
  }
  if (streamTag) {
    const plain = runs[streamTag].plain, stream = runs[streamTag].stream;
    const a = get(stream, 'result.cpu.serverCpuMicrosPerDelivery'), b = get(plain, 'result.cpu.serverCpuMicrosPerDelivery');
    target(`stream group vs plain group, server CPU per delivery (${streamTag.slice(7)} msg/s)`, `${fmt(a, 2)} vs ${fmt(b, 2)} µs`,
      '<= 1.15x', verdict(a / b, 1.15));
  }
  if (deflateTag) {
    const off = runs[deflateTag].deflateoff, on = runs[deflateTag].deflateon;
    const bytes = get(off, 'result.cpu.serverBytesOutPerDelivery') / get(on, 'result.cpu.serverBytesOutPerDelivery');
    target('permessage-deflate: bytes out per delivery, off / on', `${fmt(get(off, 'result.cpu.serverBytesOutPerDelivery'), 0)} vs ${fmt(get(on, 'result.cpu.serverBytesOutPerDelivery'), 0)} bytes`,
      '>= 3x fewer', num(bytes) ? (bytes >= 3 ? `met (${fmt(bytes, 2)}x fewer)` : `missed (${fmt(bytes, 2)}x fewer)`) : 'not measured');
    const cpu = get(on, 'result.cpu.serverCpuMicrosPerDelivery') / get(off, 'result.cpu.serverCpuMicrosPerDelivery');
    target('permessage-deflate: server CPU per delivery, on / off', `${fmt(get(on, 'result.cpu.serverCpuMicrosPerDelivery'), 2)} vs ${fmt(get(off, 'result.cpu.serverCpuMicrosPerDelivery'), 2)} µs`,
      '<= 1.2x', verdict(cpu, 1.2));
  }
  if (cluster) {
    const one = runs[cluster].cluster1, two = runs[cluster].cluster2;
    const x = get(two, 'result.cpu.serverCpuMicrosPerDelivery') / get(one, 'result.cpu.serverCpuMicrosPerDelivery');
    target('cross-gateway delivery cost vs local', `${fmt(get(two, 'result.cpu.serverCpuMicrosPerDelivery'), 2)} vs ${fmt(get(one, 'result.cpu.serverCpuMicrosPerDelivery'), 2)} µs`, '<= 1.3x', verdict(x, 1.3));
  } else {
    target('cross-gateway delivery cost vs local', 'not measured', '<= 1.3x', 'not measured', 'run with --cluster');
  }

  const m = machine;
  const out = [];
  out.push(`# Switchboard benchmark ${m.stamp}`, '');
  out.push(`Command: \`${m.command}\` (commit ${m.gitCommit})`, '');
  out.push(`Machine: ${m.nproc} cores (${m.cpuModel}), ${fmt(m.memTotalKib / 1048576, 1)} GiB RAM, Linux ${m.kernel}; ` +
    `${m.java}; node ${m.node}, ws ${m.ws}. ` +
    (m.pinned ? `Server pinned to core ${m.pinned.server}, generator to core ${m.pinned.generator} (taskset). ` : 'Not pinned. ') +
    `Gateway JVM: \`${m.gatewayJavaOpts}\` -> \`${m.gatewayJvmFlags}\`. ` +
    (m.gatewayEnv ? `Gateway settings from the environment: \`${m.gatewayEnv}\`. ` : '') +
    `Load average before: ${m.loadAverageBefore.split(' ').slice(0, 3).join(' ')}, after: ${m.loadAverageAfter.split(' ').slice(0, 3).join(' ')}.`, '');
  if (rows.length) { // none when only ours-only scenarios ran (stream, sequence, persist, ...)
    out.push('Ratio = ours / peer: below 1 is better for times, CPU and memory; above 1 is better for rates.' + (m.uws ? ` uWebSockets.js: ${m.uws}.` : ''), '');
    out.push('| Figure | Ours (Switchboard gateway) | Peer (Node.js ws) | Ratio ours/ws | uWebSockets.js | Ratio ours/uWS | Note |',
      '|---|---|---|---|---|---|---|', ...rows, '');
  }
  if (clusterRows.length) {
    out.push(`Cross-gateway: the same fanout (${s.subscribers} subscribers, ${s.rate} msg/s) on one clustered gateway, and spread over two clustered gateways on the same core.`, '', ...clusterRows, '');
  }
  if (streamRows.length) {
    out.push(`Stream groups: the same fanout (${s.subscribers} subscribers, one embedded gateway) to a plain group and to a stream group (every publish numbered and stored before delivery).`, '', ...streamRows, '');
  }
  if (deflateRows.length) {
    const on = runs[deflateTag].deflateon;
    out.push(`permessage-deflate: the same fanout (${fmt(get(on, 'result.receivers.ready'), 0)} subscribers, ${fmt(get(on, 'result.offeredRate'), 0)} msg/s of a ${fmt(get(on, 'result.payloadBytes'), 0)}-byte feed-like JSON object, one embedded gateway) with clients that do not offer compression, then with clients that do (as browsers do).`, '', ...deflateRows, '');
  }
  if (seqRows.length) {
    out.push(`Sequencing: ${fmt(get(runs.sequence.seq1, 'result.sockets'), 0)} /ws publishers x ${fmt(get(runs.sequence.seq1, 'result.inFlight'), 0)} in flight to ${fmt(get(runs.sequence.seq1, 'result.groups'), 0)} stream groups through one clustered gateway (a lite member), the stream map on one, then two data members; every process on the server core.`, '', ...seqRows, '');
  }
  if (persistRows.length) {
    const any = runs[persistTag].histfile || runs[persistTag].histmem || runs[persistTag].histfsync;
    out.push(`History, embedded: the fanout to a stream group (${fmt(get(any, 'result.receivers.requested'), 0)} subscribers, ${fmt(get(any, 'result.offeredRate'), 0)} msg/s, a fresh embedded gateway each) with the history in memory (\`SWITCHBOARD_PERSIST_HISTORY=false\`), in its file (the default), and in its file forced to the disk before each ack (\`SWITCHBOARD_HISTORY_FSYNC=true\`)${m.historyFs ? `; files on ${m.historyFs}` : ''}.`, '', ...persistRows, '');
  }
  if (pgRows.length) {
    out.push('History, cluster: one clustered gateway (a lite member) and one data member (a chat process), the stream map in memory, then written through to a throwaway PostgreSQL 15 (default settings: fsync on), every process on the server core and counted in the CPU (PostgreSQL: the postmaster and all its processes). The fanout to a stream group, then the sequencing scenario on the same processes.', '', ...pgRows, '');
  }
  out.push('Targets:', '', '| Target | Measured (ours vs peer) | Goal | Verdict | Note |', '|---|---|---|---|---|', ...targets, '');
  return out.join('\n');
}

function main() {
  const args = process.argv.slice(2);
  let data, outMd;
  if (args[0] === '--from') {
    data = JSON.parse(fs.readFileSync(args[1], 'utf8'));
    outMd = args[2];
  } else {
    const [workDir, outJson] = args;
    outMd = args[2];
    data = load(workDir);
    fs.writeFileSync(outJson, JSON.stringify(data, null, 2) + '\n');
  }
  const md = render(data);
  if (outMd) fs.writeFileSync(outMd, md);
  process.stdout.write(md);
}

main();
