/**
 * `--config FILE`: a YAML mapping whose keys are the long flag names without the dashes
 * (`metrics-port: 9464`). Keys are derived from the command's options, so every flag, including
 * ones added later, can be set in the file without code here. Precedence is that of commander's
 * value sources: a flag beats its environment variable, which beats the file, which beats the
 * default.
 */
import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { InvalidArgumentError } from 'commander';
import { parse as parseYaml } from 'yaml';

export const CONFIG_FLAG = '--config';
export const CONFIG_ENV = 'KAFKA_GATEWAY_CONFIG';

/** The config file named by `--config FILE`, `--config=FILE` or the environment, if any. */
export function configFilePath(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === CONFIG_FLAG) found = argv[++i];
    else if (arg.startsWith(`${CONFIG_FLAG}=`)) found = arg.slice(CONFIG_FLAG.length + 1);
  }
  return found ?? env[CONFIG_ENV];
}

function configurable(command: Command): Map<string, Option> {
  const byKey = new Map<string, Option>();
  for (const option of command.options) {
    if (option.long === undefined || option.long === CONFIG_FLAG || option.long === '--help') continue;
    if (option.long === '--version') continue;
    byKey.set(option.long.slice(2), option);
  }
  return byKey;
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return undefined;
}

/** A file value run through the option's own parser and choices, as the flag would be. */
function optionValue(option: Option, key: string, raw: unknown, file: string): unknown {
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`config file ${file}: ${key}: ${why}`);
  };
  if (!option.required && !option.optional) {
    if (typeof raw !== 'boolean') fail(`expected true or false, got ${JSON.stringify(raw)}`);
    return option.negate ? !raw : raw;
  }
  const text = Array.isArray(raw) ? raw.map(scalarText).join(',') : scalarText(raw);
  if (text === undefined) fail(`expected a single value, got ${JSON.stringify(raw)}`);
  if (option.argChoices !== undefined && !option.argChoices.includes(text!)) {
    fail(`"${text}" is not one of ${option.argChoices.join(', ')}`);
  }
  if (option.parseArg === undefined) return text;
  try {
    return option.parseArg(text!, undefined);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
}

/**
 * Reads the file and sets each value on the command with source 'config', before the command
 * parses its arguments and environment (which then override it). Unknown keys are an error.
 */
export function applyConfigFile(command: Command, file: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(
      `cannot read config file ${file}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new InvalidArgumentError(
      `config file ${file} is not valid YAML: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (doc === null || doc === undefined) return;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new InvalidArgumentError(`config file ${file} must be a mapping of flag names to values`);
  }
  const options = configurable(command);
  for (const [key, raw] of Object.entries(doc as Record<string, unknown>)) {
    const option = options.get(key);
    if (option === undefined) {
      throw new InvalidArgumentError(
        `config file ${file}: unknown key "${key}" (keys are the flag names without "--", e.g. "port")`,
      );
    }
    if (raw === null) continue;
    command.setOptionValueWithSource(option.attributeName(), optionValue(option, key, raw, file), 'config');
  }
}
