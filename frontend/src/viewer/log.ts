/**
 * The viewer's logger: the only module that writes to the browser console. Messages carry ids
 * and counts only, never patient data. The level is `warn` unless the page URL has
 * `?log=debug` or `?log=info`.
 */

type Level = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function threshold(): number {
  const requested = new URLSearchParams(globalThis.location?.search ?? '').get('log');
  return requested && requested in ORDER ? ORDER[requested as Level] : ORDER.warn;
}

const minimum = threshold();

function write(level: Level, message: string, details: unknown[]): void {
  if (ORDER[level] < minimum) {
    return;
  }
  // The only console call of the viewer.
  console[level](`[viewer] ${message}`, ...details);
}

/** Leveled logging for the viewer. */
export const log = {
  debug: (message: string, ...details: unknown[]): void => write('debug', message, details),
  info: (message: string, ...details: unknown[]): void => write('info', message, details),
  warn: (message: string, ...details: unknown[]): void => write('warn', message, details),
  error: (message: string, ...details: unknown[]): void => write('error', message, details),
};
