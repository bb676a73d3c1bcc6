/** Steps that undo a setup, run last-in first-out (a service stops before the auth-server it uses). */
export class CleanupStack {
  private readonly steps: (() => Promise<void>)[] = [];

  add(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  /** Runs every step even if some fail; the first failure is rethrown at the end. */
  async run(): Promise<void> {
    let failure: unknown;
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure) throw failure;
  }
}
