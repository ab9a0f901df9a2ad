import { submission, submitParams } from './submit-batch.js';

const body = (title: string) => ({ title, instructions: 'Do it.', category: 'research' as const, priority: 'high' as const, deadline: '2030-01-01T00:00:00.000Z' });
const sub = (title: string) => submission({ organizationId: 'org', id: 'user' }, body(title));

describe('submitParams', () => {
  it('gives one array per column, one entry per submission, with the priority multiplier', () => {
    const a = sub('a');
    const b = sub('b');
    const cols = submitParams([a, b]);
    expect(cols).toHaveLength(9);
    expect(cols[0]).toEqual([a.id, b.id]);
    expect(cols[3]).toEqual(['a', 'b']);
    expect(cols[8]).toEqual([12_500, 12_500]);
    expect(a.id).not.toBe(b.id);
  });
});
