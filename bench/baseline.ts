/**
 * A build of another commit of this repository, to measure against (`--baseline-ref`): the commit's
 * files are exported with `git archive` into .cache/bench/baseline-<sha>/, share this checkout's
 * node_modules (a superset as long as no dependency was removed since), and are compiled with tsc.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './proc.js';

export function baselineBuild(ref: string): { dir: string; sha: string } {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const dir = path.join(ROOT, '.cache', 'bench', `baseline-${sha.slice(0, 12)}`);
  if (existsSync(path.join(dir, 'dist', 'cli.js'))) return { dir, sha };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.error(`bench: building ${ref} (${sha.slice(0, 12)}) in ${dir}`);
  execFileSync('sh', ['-c', `git archive ${sha} | tar -x -C "${dir}"`], { cwd: ROOT, stdio: 'inherit' });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: dir,
      stdio: 'inherit',
    },
  );
  return { dir, sha };
}
