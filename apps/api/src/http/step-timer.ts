/** Named durations of the steps of one request, for a Server-Timing header (RFC-less W3C spec). */
export interface StepTiming {
  name: string;
  ms: number;
}

export class StepTimer {
  readonly steps: StepTiming[] = [];
  private last = performance.now();

  /** Ends the current step under `name` and starts the next. */
  lap(name: string): void {
    const now = performance.now();
    this.steps.push({ name, ms: now - this.last });
    this.last = now;
  }
}
