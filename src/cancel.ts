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

/**
 * Give the event loop a turn (timers, signals, sockets) when `everyMs` have passed since the last one. A training
 * or generation loop on the CPU backends awaits only promises that are already resolved, so without this nothing
 * else runs until it ends: in a notebook, Jupyter's interrupt (a SIGINT) and the kernel's messages wait for the
 * whole run (measured: a timer set before 300 training steps fired after the last one, 4.7 s later). One
 * `setImmediate` per `everyMs` costs nothing measurable and changes no number.
 */
export async function yieldToEventLoop(everyMs = 50): Promise<void> {
  const now = performance.now();
  if (now - lastTurn < everyMs) return;
  lastTurn = now;
  await new Promise<void>((resolve) =>
    typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
}
let lastTurn = performance.now();

let interrupt: AbortController | null = null;

/**
 * In a notebook kernel: make Jupyter's interrupt (SIGINT) stop the runs in progress. tslab answers an interrupt by
 * abandoning the cell's promise, not by stopping it, so a training went on in the background, slowing the next
 * cells and writing its record later. Each SIGINT aborts the signal of the runs started before it
 * ({@link interruptSignal}); runs started after get a fresh one. Idempotent.
 */
export function cancelOnInterrupt(): void {
  if (interrupt !== null) return;
  interrupt = new AbortController();
  process.on("SIGINT", () => {
    interrupt?.abort();
    interrupt = new AbortController();
  });
}

/** The signal that the next SIGINT aborts, once {@link cancelOnInterrupt} is on (in a notebook); else undefined. */
export function interruptSignal(): AbortSignal | undefined {
  return interrupt?.signal;
}
