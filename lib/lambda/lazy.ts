/**
 * A value made on first use and kept for the life of the container (the next cold start makes it again). Module-level
 * calls are marked `/* @__PURE__ *\/`: they make nothing yet, so esbuild leaves a factory that no handler uses out of
 * its bundle, with everything the factory would import (the webhook must carry neither YAML nor the Feishu SDK).
 */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** The same for a value made asynchronously; a failure is not kept, so the next call tries again. */
export function lazyAsync<T>(make: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= make().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
}
