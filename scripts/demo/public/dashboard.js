// The dashboard page: follows /events (server-sent events from the demo's Monitor) and renders
// tiles, charts (charts.js), connections grouped by endpoint and the timeline.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const MAX_ROWS = 400;
  let run = null; // { meta, samples, spans, marks, connections, counters, summary }
  let drawPending = false;
  let finished = false;

  const fmtMs = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const fmtInt = (v) => Math.round(v).toLocaleString('en-US');
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === 'class') node.className = value;
      else if (key === 'style') node.style.cssText = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  };
  const markOf = (entry) => ({ t: entry.t, tag: entry.tag, seq: (/#(\d+)/.exec(entry.text) || [])[1] || '' });

  function init(snapshot, report) {
    finished = false;
    $('timeline').replaceChildren();
    $('summary').hidden = true;
    showReport(report);
    if (snapshot === null) {
      run = null;
      return;
    }
    run = {
      meta: snapshot.meta,
      samples: snapshot.samples.slice(),
      spans: snapshot.spans.slice(),
      marks: [],
      connections: snapshot.connections,
      nodes: snapshot.nodes || [],
      counters: snapshot.counters,
      summary: snapshot.summary,
    };
    const m = run.meta;
    $('meta').textContent =
      m.client + (m.client === 'hitless' ? ' · pool ' + m.pool : '') + ' · ' + m.callers + ' callers · endpoint type ' + m.endpointType + ' · time_s ' + m.timeS + ' · endpoints ' + m.endpoints.join(', ');
    setPhase(snapshot.summary ? null : (snapshot.spans[snapshot.spans.length - 1] || { phase: 'steady' }).phase, snapshot.phaseText);
    for (const entry of snapshot.timeline) addEntry(entry);
    renderConnections();
    renderNodes();
    renderTiles(run.samples[run.samples.length - 1]);
    if (snapshot.summary) done(snapshot.summary);
    scheduleDraw();
  }

  function setPhase(phase, text) {
    const node = $('phase');
    node.className = 'phase phase-' + (phase || 'done');
    node.textContent = text;
    node.title = text;
  }

  function addEntry(entry) {
    if (run && entry.tag) run.marks.push(markOf(entry));
    const list = $('timeline');
    const item = el('li', { class: 'tone-' + entry.tone, 'data-kind': entry.kind, 'data-tag': entry.tag || '', 'data-quiet': entry.quiet ? '1' : '' }, el('time', {}, entry.t.toFixed(1) + 's'), el('span', {}, entry.text));
    if (entry.quiet && !$('show-all').checked) item.classList.add('hidden');
    list.prepend(item);
    while (list.childElementCount > MAX_ROWS) list.lastElementChild.remove();
  }

  function renderTiles(sample) {
    if (!run) return;
    const c = run.counters;
    const s = sample || { opsPerSec: 0, p50: 0, p99: 0, max: 0 };
    $('t-ops').textContent = fmtInt(s.opsPerSec);
    $('t-p50').innerHTML = fmtMs(s.p50) + '<small>ms</small>';
    $('t-p99').innerHTML = fmtMs(s.p99) + '<small>ms</small>';
    $('t-max').innerHTML = fmtMs(s.max) + '<small>ms</small>';
    $('t-failed').textContent = fmtInt(c.failed);
    $('tile-failed').className = 'tile ' + (c.failed > 0 ? 'bad' : 'ok');
    $('t-ok').textContent = fmtInt(c.ok + c.failed);
    const h = c.handoffs;
    $('t-handoffs').innerHTML = run.meta.client === 'hitless' ? h.succeeded + (h.failed > 0 ? '<small>' + h.failed + ' failed</small>' : '<small>/ ' + h.started + ' started</small>') : '–';
    const notes = Object.values(c.notifications).reduce((a, b) => a + b, 0);
    $('t-notes').textContent = run.meta.client === 'hitless' ? fmtInt(notes) : '–';
  }

  function renderConnections() {
    const box = $('connections');
    if (!run) return box.replaceChildren();
    if (run.meta.client !== 'hitless') {
      return box.replaceChildren(el('div', { class: 'endpoint empty' }, el('span', { class: 'none' }, 'node-redis exposes no connection state')));
    }
    // Group by the simulator endpoint with the same port (an fqdn MOVING names it `localhost:port`).
    const port = (endpoint) => endpoint.slice(endpoint.lastIndexOf(':') + 1);
    const byEndpoint = new Map(run.meta.endpoints.map((e) => [e, []]));
    for (const c of run.connections) {
      const key = run.meta.endpoints.find((e) => e === c.endpoint || port(e) === port(c.endpoint)) || c.endpoint;
      if (!byEndpoint.has(key)) byEndpoint.set(key, []);
      byEndpoint.get(key).push(c);
    }
    const maxInflight = Math.max(1, ...run.connections.map((c) => c.inflight));
    const sections = [];
    for (const [endpoint, conns] of byEndpoint) {
      const index = run.meta.endpoints.indexOf(endpoint);
      const head = el('header', {}, endpoint, el('span', { class: 'tag' }, index === 0 ? 'initial' : index > 0 ? 'endpoint ' + (index + 1) : 'other'), el('span', { class: 'count' }, conns.length + ' connection' + (conns.length === 1 ? '' : 's')));
      const section = el('section', { class: 'endpoint' + (conns.length === 0 ? ' empty' : ''), 'data-endpoint': endpoint }, head);
      if (conns.length === 0) section.append(el('span', { class: 'none' }, 'no connections'));
      else {
        const table = el('table', { class: 'conns' });
        for (const c of conns) {
          const relaxed = c.relaxedTimeout === null ? '' : 'relaxed ' + c.relaxedTimeout + ' ms';
          table.append(
            el('tr', { class: 'conn', 'data-id': c.id, 'data-state': c.state },
              el('td', { title: c.endpoint }, c.id + (c.dedicated ? ' ⧉' : '') + (c.endpoint === endpoint ? '' : ' via ' + c.endpoint.slice(0, c.endpoint.lastIndexOf(':')))),
              el('td', {}, el('span', { class: 'state state-' + c.state }, c.state)),
              el('td', { class: 'num' }, el('span', { class: 'bar', style: 'width:' + Math.round((c.inflight / maxInflight) * 40) + 'px' }), ' ' + c.inflight),
              el('td', { class: 'num' }, relaxed)),
          );
        }
        section.append(table);
      }
      sections.push(section);
    }
    box.replaceChildren(...sections);
  }

  // A cluster run: each node's role, slot ranges (they change at a reshard or failover) and connections.
  function renderNodes() {
    const nodes = run ? run.nodes : [];
    $('nodes-card').hidden = nodes.length === 0;
    $('nodes').replaceChildren(
      ...nodes.map((n) =>
        el('tr', { class: 'node', 'data-node': n.node, 'data-slots': String(n.slotCount) },
          el('td', {}, n.node),
          el('td', {}, el('span', { class: 'tag' }, n.role)),
          el('td', { title: n.slots }, n.slotCount === 0 ? 'no slots' : n.slots.length > 28 ? n.slots.slice(0, 27) + '…' : n.slots),
          el('td', { class: 'num' }, fmtInt(n.slotCount) + ' slots'),
          el('td', { class: 'num' }, n.connections + ' conn')),
      ),
    );
  }

  function done(summary) {
    finished = true;
    run.summary = summary;
    Object.assign(run.counters, { ok: summary.ok, failed: summary.failed, counterGaps: summary.counterGaps });
    renderTiles(run.samples[run.samples.length - 1]);
    setPhase(summary.failed === 0 && summary.drillErrors.length === 0 ? null : 'failed', summary.failed === 0 ? 'finished · no command failed' : 'finished · ' + fmtInt(summary.failed) + ' commands failed');
    const head = el('tr', {}, ...['phase', 'seconds', 'commands', 'failed', 'p50 ms', 'p99 ms', 'max ms', 'handoffs'].map((h) => el('th', {}, h)));
    const rows = summary.phases.map((p) =>
      el('tr', { 'data-phase': p.phase }, ...[p.phase, p.seconds.toFixed(1), fmtInt(p.commands), fmtInt(p.failed), fmtMs(p.p50), fmtMs(p.p99), fmtMs(p.max), summary.client === 'hitless' ? String(p.handoffs) : '–'].map((v) => el('td', {}, v))),
    );
    const ok = summary.failed === 0;
    const verdict = el('div', { class: 'verdict ' + (ok ? 'ok' : 'bad') }, (ok ? '✔ ' : '✘ ') + summary.client + ': ' + fmtInt(summary.ok + summary.failed) + ' commands, ' + fmtInt(summary.failed) + ' failed, ' + summary.counterGaps + ' counter gaps');
    const box = $('summary');
    box.replaceChildren(el('h3', {}, 'Report · worst latency per action'), el('table', {}, head, ...rows), verdict);
    box.hidden = false;
  }

  function showReport(report) {
    $('report').hidden = !report;
    $('report').textContent = report ? report.text : '';
  }

  function scheduleDraw() {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(() => {
      drawPending = false;
      if (!run) return;
      const last = run.samples[run.samples.length - 1];
      const data = { samples: run.samples, spans: run.spans, marks: run.marks, tNow: last ? last.t : 0 };
      window.Charts.drawThroughput($('chart-ops'), data);
      window.Charts.drawLatency($('chart-lat'), data);
    });
  }

  const handlers = {
    init: (m) => init(m.snapshot, m.report),
    sample: (m) => {
      if (!run) return;
      run.samples.push(m.sample);
      run.counters = m.counters;
      renderTiles(m.sample);
      scheduleDraw();
    },
    entry: (m) => {
      addEntry(m.entry);
      if (m.entry.tag) scheduleDraw();
    },
    state: (m) => {
      if (!run) return;
      run.connections = m.connections;
      renderConnections();
    },
    nodes: (m) => {
      if (!run) return;
      run.nodes = m.nodes;
      renderNodes();
    },
    phase: (m) => {
      if (!run) return;
      const last = run.spans[run.spans.length - 1];
      if (last && last.to === null) last.to = m.span.from;
      run.spans.push(m.span);
      setPhase(m.span.phase, m.text);
      scheduleDraw();
    },
    done: (m) => {
      if (!run) return;
      const last = run.spans[run.spans.length - 1];
      if (last && last.to === null) last.to = run.samples.length ? run.samples[run.samples.length - 1].t : last.from;
      done(m.summary);
      scheduleDraw();
    },
    report: (m) => showReport(m),
  };

  const source = new EventSource('/events');
  for (const [type, handle] of Object.entries(handlers)) {
    source.addEventListener(type, (event) => handle(JSON.parse(event.data)));
  }
  source.addEventListener('open', () => {
    $('link').className = 'link live';
    $('link').textContent = 'live';
  });
  source.addEventListener('bye', () => {
    source.close();
    $('link').className = 'link ended';
    $('link').textContent = finished ? 'run ended · server closed' : 'server closed';
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) return;
    $('link').className = 'link';
    $('link').textContent = 'reconnecting…';
  });
  $('show-all').addEventListener('change', () => {
    const all = $('show-all').checked;
    for (const item of $('timeline').children) item.classList.toggle('hidden', !all && item.dataset.quiet === '1');
  });
  window.addEventListener('resize', scheduleDraw);
})();
