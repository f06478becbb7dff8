import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { name: 'kafka-gateway' } });
}

/** For tests and library use: nothing is written unless LOG_LEVEL asks for it. */
export const silentLogger: Logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
