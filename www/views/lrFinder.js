// Learning-rate finder panel (lecture, step 3): loss and smoothed loss against the learning rate on
// a log x axis, the suggested rate marked. Plain canvas: ~100 points.

export function drawLrFinder(canvas, points, suggested) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, L = 36, R = 8, T = 8, B = 20;
  ctx.clearRect(0, 0, W, H);
  const ok = points.filter((p) => p.lr > 0 && Number.isFinite(p.loss));
  if (!ok.length) return;
  const lx = ok.map((p) => Math.log10(p.lr));
  const x0 = Math.min(...lx), x1 = Math.max(...lx, x0 + 1e-9);
  const ys = ok.flatMap((p) => [p.loss, p.smoothed]).filter(Number.isFinite).sort((a, b) => a - b);
  const y0 = ys[0], y1 = Math.max(ys[Math.floor(ys.length * 0.95)] ?? ys[ys.length - 1], y0 + 1e-9);
  const X = (lr) => L + ((Math.log10(lr) - x0) / (x1 - x0)) * (W - L - R);
  const Y = (v) => T + (1 - (Math.min(v, y1) - y0) / (y1 - y0)) * (H - T - B);
  ctx.font = "10px system-ui, sans-serif";
  ctx.fillStyle = "#4b5563";
  ctx.strokeStyle = "#e5e7eb";
  for (let d = Math.ceil(x0); d <= Math.floor(x1); d++) {
    const x = X(10 ** d);
    ctx.beginPath(); ctx.moveTo(x, T); ctx.lineTo(x, H - B); ctx.stroke();
    ctx.fillText(`1e${d}`, x - 10, H - 6);
  }
  ctx.fillText(y1.toPrecision(3), 2, T + 8);
  ctx.fillText(y0.toPrecision(3), 2, H - B);
  ctx.fillStyle = "rgba(37, 99, 235, 0.5)";
  for (const p of ok) ctx.fillRect(X(p.lr) - 1.5, Y(p.loss) - 1.5, 3, 3);
  ctx.strokeStyle = "#b91c1c";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ok.forEach((p, i) => (i ? ctx.lineTo(X(p.lr), Y(p.smoothed)) : ctx.moveTo(X(p.lr), Y(p.smoothed))));
  ctx.stroke();
  if (suggested > 0) {
    const x = X(suggested);
    ctx.strokeStyle = "#059669";
    ctx.setLineDash([4, 3]);
    ctx.beginPath(); ctx.moveTo(x, T); ctx.lineTo(x, H - B); ctx.stroke();
    ctx.setLineDash([]);
  }
}
