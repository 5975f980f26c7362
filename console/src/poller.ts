/**
 * Calls `refresh` now and again `intervalMs` after each call ends (never two
 * at once), until stopped; a page starts one and the router stops it when
 * the page is left. `refresh` answers false to stop on its own (a run that
 * has ended).
 */
export function startPolling(refresh: () => Promise<boolean>, intervalMs: number): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async (): Promise<void> => {
    const again = await refresh().catch(() => true);
    if (!stopped && again) timer = setTimeout(() => void tick(), intervalMs);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
