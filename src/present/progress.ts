/**
 * Progress reporting, decoupled from where it is shown: experiments and the trainer call a
 * {@link Progress} sink; scripts pass a terminal bar, notebooks a display that updates in place
 * (see `display.ts`), tests pass {@link silentProgress}.
 */

/** One progress update: `step` of `total` in the task `label`, with a few live numbers. */
export interface ProgressEvent {
  readonly label: string;
  readonly step: number;
  readonly total: number;
  readonly info?: Readonly<Record<string, number | string>>;
}

/** A progress sink. `done` closes the current task. */
export interface Progress {
  update(e: ProgressEvent): void;
  done?(label: string): void;
}

export const silentProgress: Progress = { update: () => undefined };

/** Format numbers compactly for a one-line display. */
export function formatInfo(info: Readonly<Record<string, number | string>> | undefined): string {
  if (!info) return "";
  return Object.entries(info)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === "number" ? (Math.abs(v) >= 1000 || Number.isInteger(v) ? v.toFixed(0) : v.toPrecision(4)) : v}`,
    )
    .join(" ");
}

/** A text bar: `label [#####.....] 50% 5/10 loss=1.23`. Pure, for reuse and tests. */
export function renderBar(e: ProgressEvent, width = 24): string {
  const frac = e.total > 0 ? Math.min(1, Math.max(0, e.step / e.total)) : 0;
  const full = Math.round(frac * width);
  const bar = "#".repeat(full) + ".".repeat(width - full);
  const info = formatInfo(e.info);
  return `${e.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${e.step}/${e.total}${info ? " " + info : ""}`;
}

/**
 * A terminal progress bar. On a TTY it redraws one line in place (throttled); otherwise (CI, logs,
 * worker pipes) it prints a line every `everyPercent` percent so logs stay short.
 */
export function terminalProgress(
  stream: NodeJS.WriteStream = process.stderr,
  everyPercent = 25,
  prefix = "",
): Progress {
  let lastDraw = 0;
  let lastBucket = -1;
  let lastLabel = "";
  return {
    update(e) {
      const line = prefix + renderBar(e);
      if (stream.isTTY) {
        const now = Date.now();
        if (now - lastDraw < 100 && e.step < e.total) return;
        lastDraw = now;
        stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1)}\x1b[K`);
      } else {
        const bucket = e.total > 0 ? Math.floor(((e.step / e.total) * 100) / everyPercent) : 0;
        if (e.label !== lastLabel) lastBucket = -1;
        lastLabel = e.label;
        if (bucket === lastBucket) return;
        lastBucket = bucket;
        stream.write(line + "\n");
      }
    },
    done() {
      if (stream.isTTY) stream.write("\n");
    },
  };
}

/** Several sinks as one. */
export function teeProgress(...sinks: Progress[]): Progress {
  return {
    update: (e) => sinks.forEach((s) => s.update(e)),
    done: (label) => sinks.forEach((s) => s.done?.(label)),
  };
}
