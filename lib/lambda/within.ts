/**
 * What `work` settles with, or what `late()` gives (or throws) once `ms` have passed first. The timer is cleared
 * either way, so it never keeps a Lambda's event loop alive; `work` runs on, and what it settles with later is dropped.
 */
export async function within<T, L>(work: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<L>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
