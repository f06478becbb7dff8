/**
 * Fails when committed generated files differ from what the generators write now:
 * src/protocol/generated/ (needs the definitions folder) and API_VERSION_MATRIX.md.
 *   tsx scripts/check-generated.ts [definitions-dir]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderMatrix } from './generate-matrix.js';

const root = join(import.meta.dirname, '..');
const problems: string[] = [];

const matrix = readFileSync(join(root, 'API_VERSION_MATRIX.md'), 'utf8');
if (matrix !== renderMatrix()) problems.push('API_VERSION_MATRIX.md is stale: run npm run generate:matrix');

const defs = process.argv[2] ?? join(root, '..', 'shared', 'kafka-protocol', '3.9.0');
if (existsSync(defs)) {
  const tmp = mkdtempSync(join(tmpdir(), 'kgw-gen-'));
  try {
    execFileSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts', 'generate-protocol.ts'), defs, tmp],
      {
        stdio: 'ignore',
      },
    );
    const committedDir = join(root, 'src', 'protocol', 'generated');
    const fresh = readdirSync(tmp).sort();
    const committed = readdirSync(committedDir).sort();
    if (fresh.join() !== committed.join())
      problems.push('src/protocol/generated/ has different files than the generator writes');
    for (const f of fresh) {
      const a = readFileSync(join(tmp, f), 'utf8');
      const b = existsSync(join(committedDir, f)) ? readFileSync(join(committedDir, f), 'utf8') : '';
      if (a !== b) problems.push(`src/protocol/generated/${f} drifted: run npm run generate`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
} else {
  process.stdout.write(`definitions not found at ${defs}: skipping the codec drift check\n`);
}

if (problems.length > 0) {
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.exit(1);
}
process.stdout.write('generated files are up to date\n');
