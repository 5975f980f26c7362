import { AsyncLocalStorage } from 'node:async_hooks';
import type { InvocationContext } from '@azure/functions';
import type { LogSink } from '../../shared/log.js';

/**
 * Logs through the Functions logging pipeline. The services are built once
 * per worker and log through one logger; this sink finds the invocation a
 * record was written in (AsyncLocalStorage, entered by register.ts around
 * every handler) and writes it with that invocation's context at its real
 * severity, so Application Insights files it under the invocation, with its
 * level, rather than classifying text written to stderr by keywords. Each
 * record stays one JSON object (run, device and action ids, redacted by
 * shared/log.ts). A record written outside any invocation (the worker's
 * start-up) goes to `outside`.
 */
const invocation = new AsyncLocalStorage<InvocationContext>();

/** Runs `work` as part of `context`'s invocation: what it logs is filed under it. */
export function inInvocation<T>(context: InvocationContext, work: () => Promise<T>): Promise<T> {
  return invocation.run(context, work);
}

export function invocationSink(outside: LogSink): LogSink {
  return (level, record) => {
    const context = invocation.getStore();
    if (!context) return outside(level, record);
    const line = JSON.stringify(record);
    if (level === 'debug') context.debug(line);
    else if (level === 'info') context.info(line);
    else if (level === 'warn') context.warn(line);
    else context.error(line);
  };
}
