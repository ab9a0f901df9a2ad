import { formatMoney, type BillingSummaryDay } from '@handoff/contracts';
import { Group, Text, VisuallyHidden } from '@mantine/core';

const HEIGHT = 160;
const CHARGED = 'var(--mantine-color-grape-6)';
const PAID = 'var(--mantine-color-green-6)';

/**
 * Charged vs paid out per day as paired bars. Drawn in SVG rather than with a
 * chart library: it is one small picture, and the admin chunk stays light.
 * Screen readers get the same numbers as a table.
 */
export function DayChart({ days, currency }: { days: BillingSummaryDay[]; currency: string }) {
  const points = days.filter((d) => d.currency === currency);
  const max = Math.max(1, ...points.map((d) => Math.max(d.chargedCents, d.paidOutCents)));
  const slot = 24;
  const width = Math.max(points.length * slot, slot);
  return (
    <figure style={{ margin: 0 }}>
      <Group gap="md" mb="xs" aria-hidden>
        <Legend color={CHARGED} label="Charged" />
        <Legend color={PAID} label="Paid out" />
      </Group>
      <div style={{ overflowX: 'auto' }} tabIndex={0} role="region" aria-label={`Chart of ${currency}, scrolls sideways`}>
        <svg width={width} height={HEIGHT + 18} role="img" aria-label={`Charged and paid out per day in ${currency}`} data-testid="billing-day-chart">
          {points.map((d, i) => {
            const x = i * slot + 3;
            const hc = (d.chargedCents / max) * HEIGHT;
            const hp = (d.paidOutCents / max) * HEIGHT;
            return (
              <g key={d.day}>
                <title>{`${d.day}: charged ${formatMoney(d.chargedCents, currency)}, paid out ${formatMoney(d.paidOutCents, currency)}`}</title>
                <rect x={x} y={HEIGHT - hc} width={8} height={hc} fill={CHARGED} rx={1} />
                <rect x={x + 9} y={HEIGHT - hp} width={8} height={hp} fill={PAID} rx={1} />
                {(i % 7 === 0 || points.length <= 10) && (
                  <text x={x} y={HEIGHT + 14} fontSize={10} fill="currentColor">
                    {d.day.slice(5)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      <VisuallyHidden>
        <table>
          <caption>Charged and paid out per day</caption>
          <thead>
            <tr>
              <th>Day</th>
              <th>Charged</th>
              <th>Paid out</th>
            </tr>
          </thead>
          <tbody>
            {points.map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td>{formatMoney(d.chargedCents, currency)}</td>
                <td>{formatMoney(d.paidOutCents, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </VisuallyHidden>
    </figure>
  );
}

function Legend({ color, label }: { color: string; label: string }) {
  return (
    <Group gap={6}>
      <span style={{ width: 10, height: 10, background: color, borderRadius: 2, display: 'inline-block' }} />
      <Text size="xs">{label}</Text>
    </Group>
  );
}
