// Charts drawn on <canvas> by hand: throughput (linear) and latency (log scale), over the whole
// run, with the drill's phases as shaded bands and notifications/handoffs as markers.
'use strict';
(function () {
  const BAND = { migrate: 'rgba(210,153,34,0.12)', failover: 'rgba(248,81,73,0.12)', bind: 'rgba(188,140,255,0.14)' };
  const BAND_TEXT = { migrate: '#d29922', failover: '#f85149', bind: '#bc8cff' };
  const MARK = { MIGRATING: '#d29922', MIGRATED: '#d29922', FAILING_OVER: '#f85149', FAILED_OVER: '#f85149', MOVING: '#bc8cff' };
  const GRID = '#262d36';
  const AXIS = '#8b949e';
  const FONT = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
  const PAD = { left: 52, right: 14, top: 10, bottom: 24 };

  function prepare(canvas) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = FONT;
    return { ctx, area: { x0: PAD.left, y0: PAD.top, x1: w - PAD.right, y1: h - PAD.bottom } };
  }

  function niceStep(span, target) {
    const raw = span / target;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / mag;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  }

  function count(v) {
    if (v >= 1e6) return (v / 1e6).toFixed(v >= 1e7 ? 0 : 1) + 'M';
    if (v >= 1e3) return (v / 1e3).toFixed(v >= 1e4 ? 0 : 1) + 'k';
    return String(Math.round(v));
  }

  function msLabel(v) {
    if (v >= 1000) return v / 1000 + ' s';
    return v >= 1 ? String(v) : v.toFixed(v >= 0.1 ? 1 : 2);
  }

  function xScale(area, tMax) {
    return (t) => area.x0 + (Math.max(0, t) / tMax) * (area.x1 - area.x0);
  }

  function timeAxis(ctx, area, tMax) {
    const x = xScale(area, tMax);
    const step = niceStep(tMax, 8);
    ctx.fillStyle = AXIS;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let t = 0; t <= tMax + 1e-9; t += step) {
      ctx.strokeStyle = GRID;
      ctx.beginPath();
      ctx.moveTo(Math.round(x(t)) + 0.5, area.y0);
      ctx.lineTo(Math.round(x(t)) + 0.5, area.y1);
      ctx.stroke();
      ctx.fillText(Math.round(t) + 's', x(t), area.y1 + 6);
    }
  }

  function bands(ctx, area, tMax, spans, tNow) {
    const x = xScale(area, tMax);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    for (const span of spans) {
      if (span.phase === 'steady') continue;
      const from = x(span.from);
      const to = x(span.to === null ? tNow : span.to);
      ctx.fillStyle = BAND[span.phase];
      ctx.fillRect(from, area.y0, Math.max(2, to - from), area.y1 - area.y0);
      ctx.fillStyle = BAND_TEXT[span.phase];
      ctx.font = '600 ' + FONT;
      ctx.fillText(span.phase, from + 5, area.y0 + 4);
      ctx.font = FONT;
    }
  }

  function markers(ctx, area, tMax, marks) {
    const x = xScale(area, tMax);
    const seen = new Set();
    let row = 0;
    for (const mark of marks) {
      const color = MARK[mark.tag];
      if (color !== undefined) {
        const key = mark.tag + mark.seq;
        if (seen.has(key)) continue;
        seen.add(key);
        const px = Math.round(x(mark.t)) + 0.5;
        ctx.strokeStyle = color;
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(px, area.y0 + 18);
        ctx.lineTo(px, area.y1);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = color;
        ctx.textAlign = 'left';
        ctx.fillText(mark.tag, px + 3, area.y0 + 20 + (row++ % 2) * 12);
      } else if (mark.tag === 'handoff' || mark.tag === 'handoff-failed') {
        ctx.fillStyle = mark.tag === 'handoff' ? '#3fb950' : '#f85149';
        ctx.beginPath();
        ctx.arc(x(mark.t), area.y1 - 5, 3, 0, Math.PI * 2);
        ctx.fill();
      }
    }
  }

  function line(ctx, points, color, width) {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    points.forEach(([px, py], i) => (i === 0 ? ctx.moveTo(px, py) : ctx.lineTo(px, py)));
    ctx.stroke();
    ctx.lineWidth = 1;
  }

  function domain(data) {
    const last = data.samples[data.samples.length - 1];
    const tNow = Math.max(data.tNow, last ? last.t : 0);
    return { tNow, tMax: Math.max(10, tNow * 1.01 + 0.5) };
  }

  function drawThroughput(canvas, data) {
    const { ctx, area } = prepare(canvas);
    const { tNow, tMax } = domain(data);
    const x = xScale(area, tMax);
    const peak = Math.max(1, ...data.samples.map((s) => s.opsPerSec));
    const step = niceStep(peak * 1.15, 4);
    const yMax = Math.ceil((peak * 1.15) / step) * step;
    const y = (v) => area.y1 - (v / yMax) * (area.y1 - area.y0);
    bands(ctx, area, tMax, data.spans, tNow);
    timeAxis(ctx, area, tMax);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let v = 0; v <= yMax + 1e-9; v += step) {
      ctx.strokeStyle = GRID;
      ctx.beginPath();
      ctx.moveTo(area.x0, Math.round(y(v)) + 0.5);
      ctx.lineTo(area.x1, Math.round(y(v)) + 0.5);
      ctx.stroke();
      ctx.fillStyle = AXIS;
      ctx.fillText(count(v), area.x0 - 8, y(v));
    }
    const points = data.samples.map((s) => [x(s.t), y(s.opsPerSec)]);
    if (points.length > 1) {
      const gradient = ctx.createLinearGradient(0, area.y0, 0, area.y1);
      gradient.addColorStop(0, 'rgba(63,185,80,0.35)');
      gradient.addColorStop(1, 'rgba(63,185,80,0.02)');
      ctx.fillStyle = gradient;
      ctx.beginPath();
      ctx.moveTo(points[0][0], area.y1);
      for (const [px, py] of points) ctx.lineTo(px, py);
      ctx.lineTo(points[points.length - 1][0], area.y1);
      ctx.closePath();
      ctx.fill();
      line(ctx, points, '#3fb950', 1.8);
    }
    for (const s of data.samples) {
      if (s.failed > 0) {
        ctx.fillStyle = '#f85149';
        ctx.fillRect(x(s.t) - 2, area.y0, 4, 6);
      }
    }
    markers(ctx, area, tMax, data.marks);
  }

  function drawLatency(canvas, data) {
    const { ctx, area } = prepare(canvas);
    const { tNow, tMax } = domain(data);
    const x = xScale(area, tMax);
    const positive = data.samples.filter((s) => s.p50 > 0);
    const low = Math.min(1, ...positive.map((s) => s.p50));
    const high = Math.max(10, ...positive.map((s) => s.max));
    const lo = Math.max(0.01, Math.pow(10, Math.floor(Math.log10(low))));
    const hi = Math.pow(10, Math.ceil(Math.log10(high * 1.2)));
    const span = Math.log10(hi) - Math.log10(lo);
    const y = (v) => area.y1 - ((Math.log10(Math.max(lo, v)) - Math.log10(lo)) / span) * (area.y1 - area.y0);
    bands(ctx, area, tMax, data.spans, tNow);
    timeAxis(ctx, area, tMax);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let v = lo; v <= hi * 1.001; v *= 10) {
      ctx.strokeStyle = GRID;
      ctx.beginPath();
      ctx.moveTo(area.x0, Math.round(y(v)) + 0.5);
      ctx.lineTo(area.x1, Math.round(y(v)) + 0.5);
      ctx.stroke();
      ctx.fillStyle = AXIS;
      ctx.fillText(msLabel(Number(v.toPrecision(1))), area.x0 - 8, y(v));
    }
    if (positive.length > 1) {
      line(ctx, positive.map((s) => [x(s.t), y(s.max)]), 'rgba(188,140,255,0.45)', 1);
      line(ctx, positive.map((s) => [x(s.t), y(s.p99)]), '#f0883e', 1.8);
      line(ctx, positive.map((s) => [x(s.t), y(s.p50)]), '#58a6ff', 1.8);
    }
    markers(ctx, area, tMax, data.marks);
  }

  window.Charts = { drawThroughput, drawLatency };
})();
