/**
 * A value built once on first use and shared by every caller, where a build
 * that fails is not kept: the callers waiting on it get its error, and the
 * next call builds again. (Caching the rejected promise would break a worker
 * for good after one failed cold start, e.g. a storage account briefly
 * unreachable.) `onFailure` hears of each failed build once.
 */
export function retryableOnce<T>(build: () => Promise<T>, onFailure: (error: unknown) => void = () => undefined): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      onFailure(error);
      throw error;
    });
    return pending;
  };
}
