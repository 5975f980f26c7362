/**
 * The cheap checks GET /api/health runs, built by the composition root. A
 * check resolves when the dependency answered and throws when it did not.
 */
export interface HealthProbes {
  /** Storage answers a read (the runs table). */
  storage(): Promise<void>;
  /** The bus answers; absent when it has no cheap check (Service Bus). */
  bus?: () => Promise<void>;
  /** A Defender API token can be obtained. */
  defenderToken(): Promise<void>;
}
