// A node:test reporter that writes the counts of passed and failed tests (suites
// not counted) as JSON, for scripts/run-tests.mjs to add up.
export default async function* countReporter(source) {
  let pass = 0;
  let fail = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') continue;
    if (event.type === 'test:pass' && !event.data.skip && !event.data.todo) pass++;
    if (event.type === 'test:fail') fail++;
  }
  yield JSON.stringify({ pass, fail });
}
