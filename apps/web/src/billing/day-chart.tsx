import { formatMoney, type BillingSummaryDay } from '@handoff/contracts';
import { BarChartFigure } from '../charts/bar-chart-figure';

const SERIES = [
  { name: 'chargedCents', label: 'Charged', color: 'grape.6' },
  { name: 'paidOutCents', label: 'Paid out', color: 'green.6' },
];
/** Pairs of bars narrower than this stop being readable; the chart scrolls instead. */
const DAY_WIDTH = 22;

/** Charged vs paid out per day in one currency. */
export function DayChart({ days, currency }: { days: BillingSummaryDay[]; currency: string }) {
  const points = days.filter((d) => d.currency === currency).map((d) => ({ day: d.day, chargedCents: d.chargedCents, paidOutCents: d.paidOutCents }));
  return (
    <BarChartFigure
      label={`Charged and paid out per day in ${currency}`}
      data={points}
      dataKey="day"
      series={SERIES}
      valueFormatter={(cents) => formatMoney(cents, currency)}
      xAxisLabel="Day (UTC)"
      xTickFormatter={(day) => day.slice(5)}
      yAxisLabel={currency}
      h={260}
      withValueLabels={points.length <= 7}
      minWidth={points.length * DAY_WIDTH + 100}
    />
  );
}
