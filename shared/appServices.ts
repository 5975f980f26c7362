import type { Services } from './services/index.js';

/**
 * The services the Function App's triggers use, built once per process on
 * first use. The Function App builds them from its settings (see
 * functions/lib/azureServices.ts); the local host and tests install their own
 * with {@link useServices} before the first trigger runs.
 */
let factory: (() => Promise<Services>) | undefined;
let instance: Promise<Services> | undefined;

export function useServices(build: () => Promise<Services>): void {
  factory = build;
  instance = undefined;
}

export function services(): Promise<Services> {
  if (!factory) throw new Error('services are not configured: call useServices() at start-up');
  instance ??= factory();
  return instance;
}
