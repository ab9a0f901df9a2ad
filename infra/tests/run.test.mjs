import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run } from '../scripts/lib.mjs';

const script = (lines, code) => ['-e', `${lines.map((l) => `console.log(${JSON.stringify(l)})`).join(';')};process.exit(${code})`];

test('a failed step carries the lines that name what failed', async () => {
  const lines = [
    'PASS test/ok.e2e-spec.ts',
    '  ● Console',
    '@handoff/api:test: FAIL test/claims.e2e-spec.ts (12 s)',
    '  ● claims › one winner among 25',
    'src/x.ts(3,1): error TS2322: Type string is not assignable',
    'all good here',
  ];
  const error = await run(process.execPath, script(lines, 1), { keepOutput: true }).then(
    () => assert.fail('should have failed'),
    (e) => e,
  );
  assert.match(error.message, /exit code 1/);
  assert.deepEqual(error.digest, lines.slice(2, 5));
});

test('a passing step resolves and keeps nothing', async () => {
  assert.equal(await run(process.execPath, script(['FAIL looks bad but exit 0'], 0), { keepOutput: true }), undefined);
});
