import { run } from '../../src/cli.js';

run(process.argv);
