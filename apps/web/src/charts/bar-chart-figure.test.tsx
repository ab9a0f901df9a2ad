import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DayChart } from '../billing/day-chart';
import { renderWithProviders } from '../test/render';
import { BarChartFigure } from './bar-chart-figure';

// jsdom lays nothing out; recharts draws once its container reports a size, which it reads from the element.
class SizedResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element) {
    this.callback([{ target, contentRect: { width: 640, height: 240 } } as unknown as ResizeObserverEntry], this as unknown as ResizeObserver);
  }
  unobserve() {}
  disconnect() {}
}

// The lazy chunk is large to transform; load it once up front so each render only waits for React.
beforeAll(async () => {
  await import('./values-bar-chart');
}, 60_000);

const plainResizeObserver = window.ResizeObserver;
beforeEach(() => {
  window.ResizeObserver = SizedResizeObserver as unknown as typeof ResizeObserver;
  // Only the chart's container: a legend measured that tall would leave the bars no room.
  const sized = (size: number) =>
    function (this: Element) {
      return this.classList.contains('recharts-responsive-container') ? size : 0;
    };
  vi.spyOn(Element.prototype, 'clientWidth', 'get').mockImplementation(sized(640));
  vi.spyOn(Element.prototype, 'clientHeight', 'get').mockImplementation(sized(240));
  vi.spyOn(HTMLElement.prototype, 'offsetWidth', 'get').mockImplementation(sized(640));
  vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockImplementation(sized(240));
});
afterEach(() => {
  window.ResizeObserver = plainResizeObserver;
});

describe('bar chart figure', () => {
  it('draws bars with axes and each bar’s value, and gives the same numbers as a table', async () => {
    renderWithProviders(
      <BarChartFigure
        label="Tasks per state"
        data={[
          { state: 'Queued', tasks: 7 },
          { state: 'Claimed', tasks: 3 },
        ]}
        dataKey="state"
        series={[{ name: 'tasks', label: 'Tasks', color: 'blue.6' }]}
        valueFormatter={(n) => `${n} tasks`}
        xAxisLabel="State"
        yAxisLabel="Tasks"
        h={240}
        withValueLabels
      />,
    );
    const figure = screen.getByRole('img', { name: 'Tasks per state' });
    // The chart chunk loads lazily.
    await waitFor(() => expect(figure.querySelectorAll('.recharts-bar-rectangle').length).toBe(2));
    const text = [...figure.querySelectorAll('text')].map((t) => t.textContent);
    expect(text).toEqual(expect.arrayContaining(['Queued', 'Claimed', 'State', 'Tasks', '7 tasks', '3 tasks']));

    const table = screen.getByRole('table', { name: 'Tasks per state' });
    expect(within(table).getAllByRole('row').map((r) => r.textContent)).toEqual(['StateTasks', 'Queued7 tasks', 'Claimed3 tasks']);
  });

  it('writes money per day for the billing summary, on a short axis date', async () => {
    renderWithProviders(
      <DayChart
        currency="USD"
        days={[
          { day: '2026-03-01', currency: 'USD', chargedCents: 5000, paidOutCents: 4000 },
          { day: '2026-03-01', currency: 'EUR', chargedCents: 999, paidOutCents: 1 },
          { day: '2026-03-02', currency: 'USD', chargedCents: 2500, paidOutCents: 2000 },
        ]}
      />,
    );
    const figure = screen.getByRole('img', { name: 'Charged and paid out per day in USD' });
    await waitFor(() => expect(figure.querySelectorAll('.recharts-bar-rectangle').length).toBe(4));
    const text = [...figure.querySelectorAll('text')].map((t) => t.textContent);
    expect(text).toEqual(expect.arrayContaining(['03-01', '03-02', '$50.00', '$40.00', '$25.00', '$20.00', 'Day (UTC)']));
    const table = screen.getByRole('table', { name: 'Charged and paid out per day in USD' });
    expect(within(table).getAllByRole('row').map((r) => r.textContent)).toEqual(['Day (UTC)ChargedPaid out', '2026-03-01$50.00$40.00', '2026-03-02$25.00$20.00']);
  });
});
