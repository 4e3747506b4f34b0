/** An error the user can fix: bad input or a missing part of the environment. Exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure of the lab itself (a service would not start, a VM hung). Exit code 1 unless given. */
export class LabError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = 'LabError';
  }
}

/** One line for the terminal: the message without a stack, since the message is what the user acts on. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return 2;
  if (err instanceof LabError) return err.exitCode;
  return 1;
}
