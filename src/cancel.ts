/**
 * Cooperative cancellation, one check for every long loop (the trainers, the experiments' condition and
 * seed loops): an aborted signal becomes an error named "AbortError", as `fetch` and Node's streams do.
 */

/** The error a cancelled run throws: "<where>: cancelled<detail>". */
export function cancelledError(where: string, detail = ""): Error {
  const e = new Error(`${where}: cancelled${detail}`);
  e.name = "AbortError";
  return e;
}

/** Throw {@link cancelledError} when `signal` has been aborted; call it between steps. */
export function throwIfCancelled(signal: AbortSignal | undefined, where: string, detail = ""): void {
  if (signal?.aborted) throw cancelledError(where, detail);
}
