import type { SessionStatus } from '../index.js';
import type { TimelineModel } from './model.js';

export const STATUS_COLORS: Record<SessionStatus, string> = {
  idle: '#d0d7de',
  registering: '#d4a72c',
  registered: '#2da44e',
  reconnecting: '#e16f24',
  renewing: '#54aeff',
  retrying: '#fa4549',
  error: '#82071e',
};

const WIDTH = 600;
const PAD = 8;
const STATUS_Y = 4;
const STATUS_H = 14;
const TOKEN_Y = 26;
const TOKEN_H = 8;
const TOKEN_GAP = 4;
/** The newest tokens drawn; older ones scroll out of the picture. */
const MAX_TOKENS = 5;

const rel = (ms: number, start: number) => `+${((ms - start) / 1000).toFixed(1)}s`;

/**
 * The session over time as an SVG picture: the status as a coloured band, each token's lifetime as a bar
 * (solid while it was the current one, faded after a newer one took over, a tick at its renewal time),
 * renewals and drops as vertical marks, and a dashed line at now.
 */
export function Timeline({ model }: { model: TimelineModel }) {
  const { start, end, now } = model;
  const x = (t: number) => PAD + ((Math.min(Math.max(t, start), end) - start) / (end - start)) * (WIDTH - 2 * PAD);
  const tokens = model.tokens.slice(-MAX_TOKENS);
  const axisY = TOKEN_Y + Math.max(tokens.length, 1) * (TOKEN_H + TOKEN_GAP) + 4;
  const height = axisY + 14;
  const ticks = [start, start + (end - start) / 2, end];
  return (
    <svg
      role="img"
      aria-label="session timeline"
      data-testid="timeline"
      viewBox={`0 0 ${WIDTH} ${height}`}
      width="100%"
      style={{ display: 'block', font: '10px ui-monospace, monospace' }}
    >
      {model.spans.map((span) => (
        <rect
          key={`s${span.from}`}
          data-kind="status"
          data-status={span.status}
          x={x(span.from)}
          y={STATUS_Y}
          width={Math.max(1, x(span.to) - x(span.from))}
          height={STATUS_H}
          fill={STATUS_COLORS[span.status]}
        >
          <title>{`${span.status} ${rel(span.from, start)} → ${rel(span.to, start)}`}</title>
        </rect>
      ))}
      {tokens.map((token, index) => {
        const y = TOKEN_Y + index * (TOKEN_H + TOKEN_GAP);
        const usedTo = token.replacedAt ?? Math.min(now, token.expiresAt);
        return (
          <g key={`t${token.receivedAt}`} data-kind="token" data-replaced={token.replacedAt === undefined ? undefined : 'true'}>
            <title>{`token${token.reason ? ` (${token.reason})` : ''} received ${rel(token.receivedAt, start)}, expires ${rel(token.expiresAt, start)}`}</title>
            <rect x={x(token.receivedAt)} y={y} width={Math.max(1, x(token.expiresAt) - x(token.receivedAt))} height={TOKEN_H} fill="#0969da" opacity={0.25} rx={2} />
            <rect x={x(token.receivedAt)} y={y} width={Math.max(1, x(usedTo) - x(token.receivedAt))} height={TOKEN_H} fill="#0969da" rx={2} />
            {token.renewAt !== undefined && <line data-kind="renew-at" x1={x(token.renewAt)} x2={x(token.renewAt)} y1={y - 2} y2={y + TOKEN_H + 2} stroke="#1f2328" />}
          </g>
        );
      })}
      {model.marks.map((mark) => (
        <g key={`m${mark.kind}${mark.at}`} data-kind={mark.kind}>
          <line x1={x(mark.at)} x2={x(mark.at)} y1={0} y2={axisY} stroke={mark.kind === 'drop' ? '#cf222e' : '#0550ae'} strokeWidth={1.5} />
          <text x={x(mark.at) + 2} y={axisY - 2} fill={mark.kind === 'drop' ? '#cf222e' : '#0550ae'}>
            {mark.kind === 'drop' ? 'drop' : 'renew'}
          </text>
        </g>
      ))}
      <line data-kind="now" x1={x(now)} x2={x(now)} y1={0} y2={axisY} stroke="#57606a" strokeDasharray="3 2" />
      {ticks.map((tick, index) => (
        <text key={index} x={x(tick)} y={height - 2} fill="#57606a" textAnchor={index === 0 ? 'start' : index === 2 ? 'end' : 'middle'}>
          {rel(tick, start)}
        </text>
      ))}
    </svg>
  );
}
