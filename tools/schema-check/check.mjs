// The breaking-change gate of the published schema: compares the schema of
// the last release (docs/schema/last-release.graphqls) with the current
// one (schema.graphqls) with graphql-js's own findBreakingChanges, the
// reference implementation of what breaks a client. Breaking changes fail
// (exit 1); dangerous ones (a new enum value, a new optional argument, ...)
// are printed for the CHANGELOG but pass.
//
//   node tools/schema-check/check.mjs docs/schema/last-release.graphqls schema.graphqls
//
// To make a breaking change on purpose, retire the old field with
// @deprecated(reason: "...") first; when it must go, copy schema.graphqls
// over the baseline and say what broke in CHANGELOG.md, in the same commit
// (.ci/schema-gate checks both).
import { readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';

const [baselinePath, currentPath] = process.argv.slice(2);
if (!baselinePath || !currentPath) {
  console.error('usage: node check.mjs BASELINE.graphqls CURRENT.graphqls');
  process.exit(2);
}

function load(path) {
  try {
    return buildSchema(readFileSync(path, 'utf8'));
  } catch (err) {
    console.error(`${path}: ${err.message}`);
    process.exit(2);
  }
}

const baseline = load(baselinePath);
const current = load(currentPath);
const breaking = findBreakingChanges(baseline, current);
const dangerous = findDangerousChanges(baseline, current);

for (const c of dangerous) {
  console.log(`dangerous  ${c.type}: ${c.description}`);
}
for (const c of breaking) {
  console.log(`BREAKING   ${c.type}: ${c.description}`);
}
if (breaking.length > 0) {
  console.error(
    `\n${breaking.length} breaking change(s) against ${baselinePath}. Deprecate instead ` +
      `(@deprecated(reason: "...")), or, if the break is meant, copy ${currentPath} over ` +
      `${baselinePath} and describe the break in CHANGELOG.md in the same commit.`,
  );
  process.exit(1);
}
console.log(`no breaking change against ${baselinePath} (${dangerous.length} dangerous)`);
