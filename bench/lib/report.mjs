// Turns the JSON lines into the markdown report: one table per scenario.
import { BASELINE, CLIENTS, SCENARIOS } from './scenarios.mjs';

const MiB = 1024 * 1024;

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const fmtMs = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '–');
const range = (xs, f = fmtMs) => (xs.length ? `${f(Math.min(...xs))}–${f(Math.max(...xs))}` : '–');

function table(head, rows) {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** Per-round speed ratio to the baseline measured in the same round: baseline ms / client ms (> 1 = faster). */
function ratios(lines, scenario, client) {
  const out = [];
  for (const l of lines) {
    if (l.scenario !== scenario || l.client !== client || !l.ok) continue;
    const base = lines.find(
      (b) => b.scenario === scenario && b.client === BASELINE && b.round === l.round && b.ok,
    );
    if (base) out.push(base.ms / l.ms);
  }
  return out;
}

export function buildReport(lines, meta) {
  const out = [];
  out.push(
    `# gdhttp benchmark results${meta.quick ? ' (quick mode: big bodies 64 MiB — not the reference figures)' : ''}`,
  );
  out.push('');
  if (meta.fakeGdhttp) {
    out.push(
      `> **gdhttp was replaced by ${meta.fakeGdhttp} (BENCH_GDHTTP_MODULE): a harness test, not gdhttp's figures.**`,
    );
    out.push('');
  }
  out.push(`- date: ${meta.date}; command: \`${meta.command}\``);
  out.push(`- machine: ${meta.cores} cores (${meta.cpu}), ${meta.memGiB} GiB RAM, ${meta.os}`);
  out.push(
    `- Node ${meta.node} (its fetch: undici ${meta.fetchUndici}); bench undici ${meta.undici}; gdhttp ${meta.gdhttp} (its undici ${meta.gdhttpUndici})`,
  );
  out.push(
    `- axios ${meta.axios}, got ${meta.got}, node-fetch ${meta.nodeFetch}, ky ${meta.ky}, curl ${meta.curl}; nginx ${meta.nginx}`,
  );
  out.push(
    `- rounds: ${meta.rounds}; big body ${meta.bigSize / MiB} MiB, frame-rate body ${meta.frameSize / MiB} MiB; wall time ${meta.wallMin} min`,
  );
  out.push('');
  out.push(
    `Each cell is the median over the rounds (min–max beside it); every run is a fresh process. **ratio** = ` +
      `${BASELINE} time / client time *in the same round*, median over the rounds: above 1 is faster than ` +
      `${BASELINE}. Peak RSS is the process's maximum resident set (curl: curl's own).`,
  );
  const failures = lines.filter((l) => !l.ok);
  for (const [scenario, def] of Object.entries(SCENARIOS)) {
    const here = lines.filter((l) => l.scenario === scenario);
    if (here.length === 0) continue;
    const title = def.title
      .replace('{big}', `${meta.bigSize / MiB} MiB`)
      .replace('{frame}', `${meta.frameSize / MiB} MiB`);
    out.push('', `## ${scenario}`, '', title, '');
    const rows = [];
    for (const client of Object.keys(CLIENTS)) {
      const all = here.filter((l) => l.client === client);
      if (all.length === 0) continue;
      const ok = all.filter((l) => l.ok);
      const runs = `${ok.length}/${all.length}`;
      if (ok.length === 0) {
        const err = all.find((l) => !l.ok)?.error ?? '';
        rows.push([
          client,
          `**FAILED**: ${err.replace(/\|/g, '\\|').slice(0, 160)}`,
          ...Array(def.kind === 'lag' ? 6 : 4).fill(''),
          runs,
        ]);
        continue;
      }
      const ms = ok.map((l) => l.ms);
      const rss = median(ok.map((l) => l.peakRssMB));
      const r = ratios(lines, scenario, client);
      const ratio = client === BASELINE ? '1.00' : fmt(median(r), 2);
      if (def.kind === 'count') {
        const rate = median(ok.map((l) => (l.requests / l.ms) * 1000));
        rows.push([client, fmtMs(median(ms)), range(ms), fmt(rate), fmt(rss), ratio, runs]);
      } else if (def.kind === 'big') {
        const rate = median(ok.map((l) => l.bytes / MiB / (l.ms / 1000)));
        const extra = ok[0].note ? ` (${ok[0].note})` : '';
        rows.push([client + extra, fmtMs(median(ms)), range(ms), fmt(rate), fmt(rss), ratio, runs]);
      } else if (def.kind === 'frame') {
        const slow = ok.map((l) => l.slowdownPct);
        rows.push([
          client,
          fmtMs(median(ms)),
          fmtMs(median(ok.map((l) => l.msUnlimited))),
          `${fmt(median(slow), 1)} % (${range(slow, (x) => fmt(x, 1))})`,
          fmt(median(ok.map((l) => l.fps10Observed)), 1),
          fmt(rss),
          runs,
        ]);
      } else {
        const p99 = ok.map((l) => l.lagP99);
        rows.push([
          client,
          fmt(median(p99), 2),
          range(p99, (x) => fmt(x, 2)),
          fmt(median(ok.map((l) => l.lagMax)), 1),
          fmtMs(median(ms)),
          fmt(median(ok.map((l) => l.bytes / MiB / (l.ms / 1000)))),
          fmt(rss),
          ratio,
          runs,
        ]);
      }
    }
    const heads = {
      count: ['client', 'median ms', 'min–max ms', 'req/s', 'peak RSS MB', 'ratio', 'ok runs'],
      big: ['client', 'median ms', 'min–max ms', 'MiB/s', 'peak RSS MB', 'ratio', 'ok runs'],
      frame: [
        'client',
        'ms at 10 fps',
        'ms unlimited',
        'slowdown at 10 fps (min–max)',
        'frames/s seen',
        'peak RSS MB',
        'ok runs',
      ],
      lag: [
        'client',
        'p99 lag ms',
        'p99 min–max',
        'max lag ms',
        'download ms',
        'MiB/s',
        'peak RSS MB',
        'ratio',
        'ok runs',
      ],
    };
    out.push(table(heads[def.kind], rows));
  }
  if (failures.length) {
    out.push('', `## Failures (${failures.length})`, '');
    for (const f of failures) out.push(`- ${f.scenario} / ${f.client} / round ${f.round}: ${f.error}`);
  }
  return `${out.join('\n')}\n`;
}
