/** Named durations of the steps of one request, for a Server-Timing header (RFC-less W3C spec). */
export interface StepTiming {
  name: string;
  ms: number;
}

/**
 * Times the steps of one request. Steps in a row are laps; steps that run beside others are
 * timed from their own start to their own end, so their durations overlap and need not add
 * up to the request's time (Server-Timing says what each took, not a partition). Steps are
 * listed in the order they started.
 */
export class StepTimer {
  private readonly timed: (StepTiming & { from: number; order: number })[] = [];
  private started = 0;
  private last = performance.now();

  get steps(): StepTiming[] {
    return [...this.timed].sort((a, b) => a.from - b.from || a.order - b.order).map(({ name, ms }) => ({ name, ms }));
  }

  /** Ends the current step under `name` and starts the next. */
  lap(name: string): void {
    const now = performance.now();
    this.timed.push({ name, ms: now - this.last, from: this.last, order: this.started++ });
    this.last = now;
  }

  /**
   * Times `work` under `name` from now until it settles (a step running beside others). The
   * next lap starts when the last such step ended, or at the previous lap.
   */
  time<T>(name: string, work: Promise<T>): Promise<T> {
    const from = performance.now();
    const order = this.started++;
    const record = () => {
      const now = performance.now();
      this.timed.push({ name, ms: now - from, from, order });
      this.last = Math.max(this.last, now);
    };
    return work.finally(record);
  }
}
