import { Injectable } from '@nestjs/common';
import type { ProcessStatus, SupervisedProcess } from './supervised-process';

/**
 * Every helper process onair supervises (the TURN server now; HLS packagers next), so that
 * /health lists them all: each owner registers its process and removes it when it is done.
 */
@Injectable()
export class HelperProcesses {
  private readonly processes = new Set<SupervisedProcess>();

  add(p: SupervisedProcess): void {
    this.processes.add(p);
  }

  remove(p: SupervisedProcess): void {
    this.processes.delete(p);
  }

  statuses(): ProcessStatus[] {
    return [...this.processes].map((p) => p.status());
  }
}
